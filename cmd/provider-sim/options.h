// provider-sim's command line: --config FILE (YAML, sim/core/config.h)
// first, then flags over it. The simulators and their own flags are the
// built-in registry's (sim/registry.h): this command names none of them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "sim/core/config.h"

namespace wsop::provider_sim {

struct Invocation {
  sim::SimConfig config;  // over sim::builtin_config()
  bool help = false;
  std::string usage;
};

Outcome<Invocation> parse_command_line(const std::vector<std::string>& args);

}  // namespace wsop::provider_sim
