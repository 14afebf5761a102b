#include "providers/aether/aether_spec.h"

#include <memory>

namespace wsop::providers::aether {

const char* to_string(PowerState state) {
  return state == PowerState::kRunning ? "Running" : "Stopped";
}

const WorkspaceSpec* spec_of(const model::Workspace& desired) {
  return dynamic_cast<const WorkspaceSpec*>(desired.provider_spec(kTypeName));
}

void set_spec(model::Workspace& workspace, WorkspaceSpec spec) {
  workspace.provider_specs[kTypeName] =
      std::make_shared<const WorkspaceSpec>(std::move(spec));
}

const Capabilities& type_capabilities() {
  static const Capabilities kCapabilities = [] {
    Capabilities can;
    can.display_name = false;
    can.description = false;
    can.hardware = true;
    return can;
  }();
  return kCapabilities;
}

}  // namespace wsop::providers::aether
