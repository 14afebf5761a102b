#include "providers/aether/aether_mapping.h"

#include <limits>
#include <optional>

#include "providers/aether/aether_observation.h"
#include "providers/aether/aether_provider.h"
#include "providers/aether/aether_spec.h"
#include "providers/support/http_status.h"
#include "providers/support/time.h"

namespace wsop::providers::aether {

std::string vendor_message(const std::string& body) {
  Json json = Json::parse(body, nullptr, false);
  if (json.is_discarded()) return "";
  return get_string(json, "error").value_or("");
}

namespace {

// A number outside int's range is as unusable as a missing one (and must
// not wrap round into a plausible value).
std::optional<int> int_field(const Json& json, const char* key) {
  auto n = get_int(json, key);
  if (!n || *n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

}  // namespace

model::Hardware hardware_from_json(const Json& json) {
  model::Hardware hw;
  hw.cpu_kind = get_string(json, "cpu_kind");  // as sent: the vendor lists no closed set
  if (auto n = int_field(json, "cpus")) hw.cpus = *n;
  if (auto n = int_field(json, "memory_mb")) hw.memory_mb = *n;
  if (auto n = int_field(json, "volume_size_gb")) hw.volume_size_gb = *n;
  if (json.contains("gpu_kind")) hw.gpu_kind = get_string(json, "gpu_kind");
  return hw;
}

RemoteWorkspace from_json(const Json& json) {
  RemoteWorkspace ws;
  ws.id = get_id(json, "id").value_or("");
  set_project(ws, get_string(json, "project_id"));
  ws.status = get_string(json, "status").value_or("unknown");
  ws.phase = phase_of(ws.status);
  ws.error_message = get_string(json, "error_message").value_or("");
  set_keep_active(ws, get_bool(json, "keep_active"));
  if (const Json* hw = get_object(json, "hardware")) {
    ws.hardware = hardware_from_json(*hw);
  } else if (json.contains("cpus")) {
    ws.hardware = hardware_from_json(json);  // a flat shape, as update takes it
  }
  if (auto created = get_string(json, "created_at")) ws.created_at = parse_timestamp(*created);
  // What people want to see once provisioned; preview_token is a credential
  // and is never read (docs/PROVIDERS.md, Aether).
  // Printed in tables: only printable text, cut short.
  if (auto machine = get_string(json, "machine_id"))
    ws.at_provider["machineId"] = printable_excerpt(*machine, 128);
  if (auto ip = get_string(json, "private_ip"))
    ws.at_provider["privateIp"] = printable_excerpt(*ip, 128);
  return ws;
}

Json hardware_json(const model::Hardware& hw) {
  Json out = Json::object();
  if (hw.cpu_kind) out["cpu_kind"] = *hw.cpu_kind;
  if (hw.cpus) out["cpus"] = *hw.cpus;
  if (hw.memory_mb) out["memory_mb"] = *hw.memory_mb;
  if (hw.volume_size_gb) out["volume_size_gb"] = *hw.volume_size_gb;
  if (hw.gpu_kind) out["gpu_kind"] = hw.gpu_kind->has_value() ? Json(**hw.gpu_kind) : Json(nullptr);
  return out;
}

Json create_body(const model::Workspace& desired) {
  Json body = Json::object();
  if (desired.hardware) body["hardware"] = hardware_json(*desired.hardware);
  if (spec_of(desired) && spec_of(desired)->keep_active)
    body["keep_active"] = *spec_of(desired)->keep_active;
  return body;
}

bool has_sent_hardware(const model::Hardware& have, const model::Hardware& sent) {
  auto same = [](const auto& want, const auto& got) { return !want || want == got; };
  // gpu_kind: a sent null ("no GPU") matches a reported null or absent one.
  bool gpu_same = !sent.gpu_kind || *sent.gpu_kind == have.gpu_kind.value_or(std::nullopt);
  return same(sent.cpu_kind, have.cpu_kind) && same(sent.cpus, have.cpus) &&
         same(sent.memory_mb, have.memory_mb) && same(sent.volume_size_gb, have.volume_size_gb) &&
         gpu_same;
}

Phase phase_of(const std::string& status) {
  if (status == "running") return Phase::kReady;
  if (status == "stopped" || status == "hibernating") return Phase::kStopped;
  if (status == "error" || status == "stop_failed") return Phase::kFailed;
  return Phase::kProvisioning;  // creating, starting, stopping, and anything new
}

}  // namespace wsop::providers::aether
