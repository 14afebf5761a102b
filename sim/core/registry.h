// Simulators registered by name, as providers/registry.h registers provider
// types: the Simulator (simulator.h), the configuration file (config.h) and
// cmd/provider-sim build every simulator, read its configuration section and
// offer its flags through its descriptor, and never include a simulator's
// header. Registration is explicit, one line per simulator in
// sim/registry.cpp; a simulator is a folder sim/<name>/ and that line.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/core/api.h"

namespace YAML {
class Node;
}

namespace wsop::sim {

struct SimulatorConfig;  // config.h

// The value of one flag: `texts` holds every occurrence of a kTexts flag and
// the one value of a kText flag; `number` is a kNumber flag's value.
struct FlagValue {
  std::vector<std::string> texts;
  double number = 0;
};

// A command-line flag of one simulator ("--paradigm-company ...").
struct SimulatorFlag {
  enum class Kind { kText, kTexts, kNumber };
  std::string name;  // without the leading "--"
  Kind kind = Kind::kText;
  std::string help;
  // Applies the flag over the simulator's configuration; kInvalid messages
  // name the flag and never a token (common/status.h).
  std::function<Status(const FlagValue& value, SimulatorConfig& config)> apply;
};

// Everything the shared code needs of one simulator.
struct SimulatorDescriptor {
  // The provider type it simulates ("paradigm"): its config section, the
  // prefix of its flags, its key in the endpoints line and in Simulator::url.
  std::string name;
  std::string title;  // "Paradigm", in help texts
  // Its options at start-up (SimulatorConfig::options).
  std::function<std::any()> default_options;
  // The keys of its config section besides the shared address, port,
  // tokens and faults, and how to read one (path: "paradigm.companies").
  std::vector<std::string> config_keys;
  std::function<Status(const std::string& key, const YAML::Node& value, const std::string& path,
                       SimulatorConfig& config)>
      read_config_key;
  std::vector<SimulatorFlag> flags;
  // The checks that need the whole section, after the file and the flags;
  // may be empty.
  std::function<Status(const SimulatorConfig& config)> check;
  std::function<std::unique_ptr<Api>(const SimulatorConfig& config)> make;
};

class Registry {
 public:
  void add(SimulatorDescriptor descriptor);
  // In registration order: the order of the servers and of the endpoints line.
  const std::vector<SimulatorDescriptor>& all() const { return descriptors_; }
  const SimulatorDescriptor* find(std::string_view name) const;

 private:
  std::vector<SimulatorDescriptor> descriptors_;
};

}  // namespace wsop::sim
