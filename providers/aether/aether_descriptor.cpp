#include "providers/aether/aether_descriptor.h"

#include <memory>

#include "common/text.h"
#include "providers/aether/aether_provider.h"
#include "providers/aether/aether_spec.h"

namespace wsop::providers::aether {
namespace {

using ManifestJson = nlohmann::ordered_json;

std::shared_ptr<const model::ProviderSpecBlock> decode_workspace_spec(SpecBlockReader& reader) {
  auto out = std::make_shared<WorkspaceSpec>();
  reader.reject_unknown({"projectId", "keepActive", "powerState"});
  if (reader.required("projectId")) {
    if (auto text = reader.string("projectId")) {
      if (auto problem = check_uuid(*text); !problem.empty()) reader.error("projectId", problem);
      out->project_id = *text;
    }
  }
  if (reader.has("keepActive")) out->keep_active = reader.boolean("keepActive");
  if (auto text = reader.one_of("powerState", {"Running", "Stopped"})) {
    out->power_state = *text == "Running" ? PowerState::kRunning : PowerState::kStopped;
  }
  return out;
}

ManifestJson render_workspace_spec(const model::ProviderSpecBlock& block) {
  const auto& spec = dynamic_cast<const WorkspaceSpec&>(block);
  ManifestJson out = {{"projectId", spec.project_id}};
  if (spec.keep_active) out["keepActive"] = *spec.keep_active;
  if (spec.power_state) out["powerState"] = to_string(*spec.power_state);
  return out;
}

}  // namespace

ProviderDescriptor descriptor() {
  ProviderDescriptor d;
  d.name = kTypeName;
  d.title = "Aether";
  d.default_base_url = "https://api.runaether.dev";
  d.capabilities = type_capabilities();
  d.workspace_block = SpecBlockCodec{decode_workspace_spec, render_workspace_spec, "projectId"};
  d.check_remote_id = [](const std::string& id) { return check_uuid(id); };
  d.make = make_provider;
  return d;
}

}  // namespace wsop::providers::aether
