#include "sim/registry.h"

#include "sim/aether/aether_descriptor.h"
#include "sim/cadenya/cadenya_descriptor.h"
#include "sim/paradigm/paradigm_descriptor.h"

namespace wsop::sim {

const Registry& builtin_simulators() {
  static const Registry registry = [] {
    Registry r;
    r.add(paradigm::descriptor());
    r.add(cadenya::descriptor());
    r.add(aether::descriptor());
    return r;
  }();
  return registry;
}

SimConfig builtin_config() {
  return default_config(builtin_simulators());
}

}  // namespace wsop::sim
