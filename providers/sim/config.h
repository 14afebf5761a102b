// provider-sim's configuration: what the YAML file (--config) and the flags
// of cmd/provider-sim set. The defaults are the demo's (ARCHITECTURE.md
// section 9): loopback, free ports, any non-empty token accepted (a Cadenya
// admin), Paradigm company 1, Aether project 00000000-0000-4000-8000-000000000001.
//
//   threads: 2                      # server threads per provider
//   tls: {certFile: c.pem, keyFile: k.pem}
//   tokens: [t1]                    # default for the three providers
//   faults: {latencyMs: 50}         # default for the three providers (PUT /_sim/faults fields)
//   paradigm: {address: 127.0.0.1, port: 0, tokens: [...], faults: {...},
//              companies: [{id: 1, name: Acme}, {id: 2, name: Beta}],
//              tokenCompanies: {t2: 2},   # the company a token's list shows (default 1)
//              readonlyTokens: [t3]}      # tokens whose creates answer 403
//              (tokens named in tokenCompanies or readonlyTokens are accepted too)
//   cadenya:  {address, port, tokens, faults, adminTokens: [t1]}
//   aether:   {address, port, tokens, faults, projects: [<uuid>], creatingDelay: 1s,
//              startingDelay: 1s, stoppingDelay: 500ms, errorRate: 0.1, idleStop: 10m,
//              defaultHardware: {cpuKind: performance, cpus: 4, memoryMb: 4096,
//                                volumeSizeGb: 20}}
//              # the account's defaults for a create that omits hardware or a field of
//              # it; any subset, over seed 003's documented shared/2/2048/10
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "providers/aether/sim.h"
#include "providers/cadenya/sim.h"
#include "providers/paradigm/sim.h"
#include "providers/sim/faults.h"

namespace wsop::sim {

struct Listen {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  Faults faults;
};

struct SimConfig {
  int threads = 2;
  std::string tls_cert_file;
  std::string tls_key_file;
  Listen paradigm_listen, cadenya_listen, aether_listen;
  paradigm::SimOptions paradigm;
  cadenya::SimOptions cadenya;
  aether::SimOptions aether;
};

// The checks that need the whole configuration: every company of
// paradigm.token_companies is one of paradigm.companies, and the Aether
// default hardware is within the simulated account's limits. Simulator's
// start() and provider-sim's command line run it.
Status check_config(const SimConfig& config);

// Applies a YAML document over `base`; unknown keys and wrong types are errors.
Outcome<SimConfig> parse_config(const std::string& yaml_text, SimConfig base);
Outcome<SimConfig> load_config_file(const std::string& path, SimConfig base);

}  // namespace wsop::sim
