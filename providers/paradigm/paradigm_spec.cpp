#include "providers/paradigm/paradigm_spec.h"

#include <memory>

namespace wsop::providers::paradigm {

const char* to_string(DocumentUploadMethod method) {
  return method == DocumentUploadMethod::kManual ? "manual" : "synced";
}

const WorkspaceSpec* spec_of(const model::Workspace& desired) {
  return dynamic_cast<const WorkspaceSpec*>(desired.provider_spec(kTypeName));
}

const ConfigSpec& config_spec_of(const model::ProviderConfig& config) {
  static const ConfigSpec kDefaults;
  const auto* spec = dynamic_cast<const ConfigSpec*>(config.provider_spec(kTypeName));
  return spec ? *spec : kDefaults;
}

void set_spec(model::Workspace& workspace, WorkspaceSpec spec) {
  workspace.provider_specs[kTypeName] =
      std::make_shared<const WorkspaceSpec>(std::move(spec));
}

void set_config_spec(model::ProviderConfig& config, ConfigSpec spec) {
  config.provider_specs[kTypeName] = std::make_shared<const ConfigSpec>(std::move(spec));
}

const Capabilities& type_capabilities() {
  static const Capabilities kCapabilities = [] {
    Capabilities can;
    can.not_found_proves_absence = false;
    return can;
  }();
  return kCapabilities;
}

}  // namespace wsop::providers::paradigm
