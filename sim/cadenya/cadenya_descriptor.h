// The Cadenya simulator's registration (sim/core/registry.h): its section
// of provider-sim's configuration and its flag.
//
//   cadenya: {address, port, tokens, faults,
//             adminTokens: [t1]}   # who may administer workspaces (default: every accepted token)
//
//   --cadenya-admin-token TOKEN, repeatable.
#pragma once

#include <string_view>

#include "sim/cadenya/cadenya_sim.h"
#include "sim/core/config.h"
#include "sim/core/registry.h"

namespace wsop::sim::cadenya {

inline constexpr std::string_view kName = "cadenya";

SimulatorDescriptor descriptor();

}  // namespace wsop::sim::cadenya
