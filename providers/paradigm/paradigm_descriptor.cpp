#include "providers/paradigm/paradigm_descriptor.h"

#include <memory>

#include "providers/paradigm/paradigm_provider.h"
#include "providers/paradigm/paradigm_spec.h"

namespace wsop::providers::paradigm {
namespace {

using ManifestJson = nlohmann::ordered_json;

std::shared_ptr<const model::ProviderSpecBlock> decode_workspace_spec(SpecBlockReader& reader) {
  auto out = std::make_shared<WorkspaceSpec>();
  reader.reject_unknown({"companyId", "documentUploadMethod"});
  if (reader.required("companyId")) {
    if (auto n = reader.integer("companyId", 1, INT64_MAX)) out->company_id = *n;
  }
  if (auto text = reader.one_of("documentUploadMethod", {"manual", "synced"})) {
    out->document_upload_method =
        *text == "manual" ? DocumentUploadMethod::kManual : DocumentUploadMethod::kSynced;
  }
  return out;
}

ManifestJson render_workspace_spec(const model::ProviderSpecBlock& block) {
  const auto& spec = dynamic_cast<const WorkspaceSpec&>(block);
  ManifestJson out = {{"companyId", spec.company_id}};
  // Unset stays unset: it is late-initialised from the remote on adoption.
  if (spec.document_upload_method) {
    out["documentUploadMethod"] = to_string(*spec.document_upload_method);
  }
  return out;
}

// The token's company and the duplicate-name rule (ConfigSpec).
std::shared_ptr<const model::ProviderSpecBlock> decode_config_spec(SpecBlockReader& reader) {
  auto out = std::make_shared<ConfigSpec>();
  reader.reject_unknown({"companyId", "allowDuplicateNames"});
  if (auto n = reader.integer("companyId", 1, INT64_MAX)) out->company_id = *n;
  if (auto flag = reader.boolean("allowDuplicateNames")) out->allow_duplicate_names = *flag;
  return out;
}

ManifestJson render_config_spec(const model::ProviderSpecBlock& block) {
  const auto& spec = dynamic_cast<const ConfigSpec&>(block);
  if (!spec.company_id) return ManifestJson();
  return {{"companyId", *spec.company_id}};
}

// Paradigm's workspace ids are integers.
std::string check_workspace_id(const std::string& id) {
  if (id.find_first_not_of("0123456789") == std::string::npos) return {};
  return "must be a Paradigm workspace id (an integer), got \"" + id + "\"";
}

}  // namespace

ProviderDescriptor descriptor() {
  ProviderDescriptor d;
  d.name = kTypeName;
  d.title = "Paradigm";
  d.default_base_url = "https://paradigm.lighton.ai";
  d.capabilities = type_capabilities();
  d.workspace_block = SpecBlockCodec{decode_workspace_spec, render_workspace_spec, "companyId"};
  d.config_block = SpecBlockCodec{decode_config_spec, render_config_spec, {}};
  d.check_remote_id = check_workspace_id;
  d.max_display_name_length = kMaxNameLength;
  d.make = make_provider;
  return d;
}

}  // namespace wsop::providers::paradigm
