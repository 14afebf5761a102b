#include "providers/paradigm/paradigm_mapping.h"

#include "common/text.h"
#include "providers/paradigm/paradigm_observation.h"
#include "providers/paradigm/paradigm_spec.h"
#include "providers/support/time.h"

namespace wsop::providers::paradigm {
namespace {

// True when value nests at most `levels` arrays or objects deep.
bool shallow(const Json& value, int levels) {
  if (!value.is_structured()) return true;
  if (levels == 0) return false;
  for (const Json& child : value) {
    if (!shallow(child, levels - 1)) return false;
  }
  return true;
}

}  // namespace

// Other values are dumped only when shallow: dump() recurses once per
// level, and a hostile body nested 100,000 levels deep would overflow the
// stack.
std::string vendor_message(const std::string& body) {
  Json json = Json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return "";
  if (auto detail = get_string(json, "detail")) return *detail;
  std::string out;
  for (const auto& [field, errors] : json.items()) {
    std::string text = errors.is_array() && !errors.empty() && errors[0].is_string()
                           ? errors[0].get<std::string>()
                       : shallow(errors, 16) ? errors.dump()
                                             : "(nested too deeply)";
    out += (out.empty() ? "" : "; ") + field + ": " + text;
  }
  return out;
}

RemoteWorkspace from_json(const Json& json) {
  RemoteWorkspace ws;
  ws.id = get_id(json, "id").value_or("");
  ws.name = get_string(json, "name");
  ws.description = get_string(json, "description").value_or("");
  set_upload_method(ws, get_string(json, "document_upload_method"));
  std::optional<int64_t> company;
  if (const Json* nested = get_object(json, "company")) company = get_int(*nested, "id");
  if (!company) company = get_int(json, "company_id");
  set_company(ws, company);
  if (auto created = get_string(json, "created_at")) ws.created_at = parse_timestamp(*created);
  ws.status = "active";
  // Shown by `wsctl get -o json` (InstanceWorkspaceV3DetailsResponse).
  if (auto it = json.find("used_storage"); it != json.end() && it->is_number()) {
    ws.at_provider["usedStorage"] = *it;
  }
  if (auto files = get_int(json, "files_count")) ws.at_provider["filesCount"] = *files;
  return ws;
}

std::string sent_name(const model::Workspace& desired) {
  return std::string(trim_whitespace(desired.display_name));
}

std::string sent_description(const model::Workspace& desired) {
  return std::string(trim_whitespace(desired.description.value_or("")));
}

Json create_body(const model::Workspace& desired) {
  const WorkspaceSpec spec = spec_of(desired) ? *spec_of(desired) : WorkspaceSpec{};
  auto method = spec.document_upload_method.value_or(DocumentUploadMethod::kManual);
  return {{"name", sent_name(desired)},
          {"company_id", spec.company_id},
          {"description", sent_description(desired)},
          {"workspace_type", "custom"},
          {"document_upload_method", to_string(method)}};
}

}  // namespace wsop::providers::paradigm
