// The built-in simulators, registered by name (sim/core/registry.h). The
// one place that names every simulator: cmd/provider-sim, the tests and the
// benchmark reach a simulator through it, never through its header.
#pragma once

#include "sim/core/config.h"
#include "sim/core/registry.h"

namespace wsop::sim {

// Paradigm, Cadenya and Aether, in this order (the order of provider-sim's
// endpoints line).
const Registry& builtin_simulators();

// default_config(builtin_simulators()): every built-in simulator with its
// defaults.
SimConfig builtin_config();

}  // namespace wsop::sim
