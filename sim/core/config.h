// provider-sim's configuration: what the YAML file (--config) and the flags
// of cmd/provider-sim set. The defaults are the demo's (ARCHITECTURE.md
// section 9): loopback, free ports, any non-empty token accepted.
//
//   threads: 2                      # server threads per simulator
//   tls: {certFile: c.pem, keyFile: k.pem}
//   tokens: [t1]                    # default for every simulator
//   faults: {latencyMs: 50}         # default for every simulator (PUT /_sim/faults fields)
//   <name>: {address: 127.0.0.1, port: 0, tokens: [...], faults: {...}, ...}
//
// One section per registered simulator (registry.h), named as it is; the
// keys besides address, port, tokens and faults are the simulator's own
// (sim/<name>/<name>_descriptor.h documents them).
#pragma once

#include <any>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/core/auth.h"
#include "sim/core/faults.h"
#include "sim/core/registry.h"

namespace wsop::sim {

struct Listen {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  Faults faults;
};

// One simulator's part of the configuration.
struct SimulatorConfig {
  std::string name;  // its descriptor's
  Listen listen;
  AuthConfig auth;
  // The simulator's own options, of the type its descriptor's
  // default_options returns (sim/<name>/<name>_sim.h: SimOptions).
  std::any options;

  // The options as their type (std::bad_any_cast for another: a bug).
  template <class Options>
  Options& options_as() {
    return std::any_cast<Options&>(options);
  }
  template <class Options>
  const Options& options_as() const {
    return std::any_cast<const Options&>(options);
  }
};

struct SimConfig {
  int threads = 2;
  std::string tls_cert_file;
  std::string tls_key_file;
  // One per registered simulator, in the registry's order.
  std::vector<SimulatorConfig> simulators;
  // The simulators' descriptors; default_config sets it, and it outlives
  // the configuration (a registry is built once: sim/registry.h).
  const Registry* registry = nullptr;

  SimulatorConfig* find(std::string_view name);
  const SimulatorConfig* find(std::string_view name) const;
  // The section of a registered simulator; std::out_of_range for any other
  // name, a programming error (as std::map::at).
  SimulatorConfig& at(std::string_view name);
  const SimulatorConfig& at(std::string_view name) const;
};

// Every simulator of `registry` with its defaults.
SimConfig default_config(const Registry& registry);

// The checks that need a whole section (each descriptor's check).
// Simulator's start() and provider-sim's command line run it.
Status check_config(const SimConfig& config);

// Applies a YAML document over `base`; unknown keys and wrong types are errors.
Outcome<SimConfig> parse_config(const std::string& yaml_text, SimConfig base);
Outcome<SimConfig> load_config_file(const std::string& path, SimConfig base);

}  // namespace wsop::sim
