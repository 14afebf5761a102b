// The registries of the test build with a fourth provider: the built-in
// ones plus one line each for Nimbus, as providers/builtin_registry.cpp and
// sim/registry.cpp list the built-in types. The core takes them as any
// registry (manifest::LoadOptions::registry, runtime::CompositionOptions::
// registry); nothing in it names Nimbus.
#pragma once

#include "providers/registry.h"
#include "sim/core/config.h"
#include "sim/registry.h"
#include "tests/extension/providers/nimbus/nimbus_descriptor.h"
#include "tests/extension/sim/nimbus/nimbus_sim.h"

namespace wsop::extension {

inline const providers::Registry& providers_with_nimbus() {
  static const providers::Registry registry = [] {
    providers::Registry r = providers::Registry::builtin();
    r.add(providers::nimbus::descriptor());
    return r;
  }();
  return registry;
}

inline const sim::Registry& simulators_with_nimbus() {
  static const sim::Registry registry = [] {
    sim::Registry r = sim::builtin_simulators();
    r.add(sim::nimbus::descriptor());
    return r;
  }();
  return registry;
}

}  // namespace wsop::extension
