#include "sim/core/registry.h"

namespace wsop::sim {

void Registry::add(SimulatorDescriptor descriptor) {
  descriptors_.push_back(std::move(descriptor));
}

const SimulatorDescriptor* Registry::find(std::string_view name) const {
  for (const SimulatorDescriptor& d : descriptors_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace wsop::sim
