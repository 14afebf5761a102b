// Registry::builtin(), the built-in provider types: the one file that names
// the providers, compiled into wsop_provider_registry (providers/CMakeLists.txt),
// the one library that links them. The rest of the Registry is the core's
// (registry.cpp), which providers include for ProviderContext.
#include "providers/aether/aether_descriptor.h"
#include "providers/cadenya/cadenya_descriptor.h"
#include "providers/paradigm/paradigm_descriptor.h"
#include "providers/registry.h"

namespace wsop::providers {

const Registry& Registry::builtin() {
  static const Registry registry = [] {
    Registry r;
    // One line per provider type.
    r.add(paradigm::descriptor());
    r.add(cadenya::descriptor());
    r.add(aether::descriptor());
    return r;
  }();
  return registry;
}

}  // namespace wsop::providers
