#include "controller/reconcile/observed_json.h"

#include "controller/manifest/render.h"
#include "providers/support/json_fields.h"
#include "providers/support/time.h"

namespace wsop::reconcile {
namespace {

using providers::get_int;
using providers::get_string;
using Json = nlohmann::json;

const providers::Phase kPhases[] = {providers::Phase::kReady, providers::Phase::kProvisioning,
                                    providers::Phase::kFailed, providers::Phase::kStopped,
                                    providers::Phase::kGone};

// The keys of the neutral fields. Every other key of an observation is the
// provider's own (RemoteWorkspace::vendor_fields), stored beside them
// unread: the one flat object the state store has always kept, so records
// written before the provider's part was opaque read unchanged.
const char* const kNeutralKeys[] = {"id",       "phase",       "status",     "errorMessage",
                                    "name",     "description", "externalId", "labels",
                                    "hardware", "createdAt",   "atProvider"};

bool is_neutral_key(const std::string& key) {
  for (const char* neutral : kNeutralKeys) {
    if (key == neutral) return true;
  }
  return false;
}

model::Hardware hardware_from(const Json& json) {
  model::Hardware hw;
  hw.cpu_kind = get_string(json, "cpuKind");
  if (auto n = get_int(json, "cpus")) hw.cpus = static_cast<int>(*n);
  if (auto n = get_int(json, "memoryMb")) hw.memory_mb = static_cast<int>(*n);
  if (auto n = get_int(json, "volumeSizeGb")) hw.volume_size_gb = static_cast<int>(*n);
  if (json.contains("gpuKind")) hw.gpu_kind = get_string(json, "gpuKind");
  return hw;
}

}  // namespace

Json to_json(const providers::RemoteWorkspace& r) {
  Json out = {{"id", r.id}, {"phase", providers::to_string(r.phase)}, {"status", r.status}};
  if (!r.error_message.empty()) out["errorMessage"] = r.error_message;
  if (r.name) out["name"] = *r.name;
  if (r.description) out["description"] = *r.description;
  if (r.external_id) out["externalId"] = *r.external_id;
  if (!r.labels.empty()) out["labels"] = r.labels;
  if (r.hardware) out["hardware"] = manifest::to_manifest_json(*r.hardware);
  if (r.created_at) out["createdAt"] = providers::format_timestamp(*r.created_at);
  if (r.at_provider.is_object() && !r.at_provider.empty()) out["atProvider"] = r.at_provider;
  // A provider's key that is a neutral one would read back as that field:
  // never written (a provider's typed view names its keys).
  if (r.vendor_fields.is_object()) {
    for (const auto& [key, value] : r.vendor_fields.items()) {
      if (!is_neutral_key(key) && !value.is_null()) out[key] = value;
    }
  }
  return out;
}

std::optional<providers::RemoteWorkspace> remote_from_json(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  providers::RemoteWorkspace r;
  r.id = get_string(json, "id").value_or("");
  std::string phase = get_string(json, "phase").value_or("");
  for (auto p : kPhases) {
    if (phase == providers::to_string(p)) r.phase = p;
  }
  r.status = get_string(json, "status").value_or("");
  r.error_message = get_string(json, "errorMessage").value_or("");
  r.name = get_string(json, "name");
  r.description = get_string(json, "description");
  r.external_id = get_string(json, "externalId");
  if (auto labels = json.find("labels"); labels != json.end() && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      if (v.is_string()) r.labels[k] = v.get<std::string>();
    }
  }
  if (auto hw = json.find("hardware"); hw != json.end() && hw->is_object())
    r.hardware = hardware_from(*hw);
  if (auto created = get_string(json, "createdAt"))
    r.created_at = providers::parse_timestamp(*created);
  if (auto facts = json.find("atProvider"); facts != json.end() && facts->is_object())
    r.at_provider = *facts;
  for (const auto& [key, value] : json.items()) {
    if (!is_neutral_key(key) && !value.is_null()) r.vendor_fields[key] = value;
  }
  return r;
}

}  // namespace wsop::reconcile
