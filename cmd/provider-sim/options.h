// provider-sim's command line: --config FILE (YAML, providers/sim/config.h)
// first, then flags over it.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "providers/sim/config.h"

namespace wsop::provider_sim {

struct Invocation {
  sim::SimConfig config;
  bool help = false;
  std::string usage;
};

Outcome<Invocation> parse_command_line(const std::vector<std::string>& args);

}  // namespace wsop::provider_sim
