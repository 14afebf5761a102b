// The Aether simulator's registration (sim/core/registry.h): its section of
// provider-sim's configuration, its flags and their checks.
//
//   aether: {address, port, tokens, faults, projects: [<uuid>], creatingDelay: 1s,
//            startingDelay: 1s, stoppingDelay: 500ms, errorRate: 0.1, idleStop: 10m,
//            defaultHardware: {cpuKind: performance, cpus: 4, memoryMb: 4096,
//                              volumeSizeGb: 20}}
//            # the account's defaults for a create that omits hardware or a field of
//            # it; any subset, over seed 003's documented shared/2/2048/10
//
//   --aether-project UUID (repeatable), --aether-creating-delay,
//   --aether-starting-delay, --aether-stopping-delay, --aether-error-rate,
//   --aether-idle-stop, --aether-default-hardware.
#pragma once

#include <string_view>

#include "sim/aether/aether_sim.h"
#include "sim/core/config.h"
#include "sim/core/registry.h"

namespace wsop::sim::aether {

inline constexpr std::string_view kName = "aether";

SimulatorDescriptor descriptor();

// The Aether options of a configuration whose registry has this simulator
// (SimConfig::at).
SimOptions& options_of(SimConfig& config);
const SimOptions& options_of(const SimConfig& config);

}  // namespace wsop::sim::aether
