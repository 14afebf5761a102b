#include "controller/manifest/render.h"

#include "common/digest.h"
#include "common/duration.h"
#include "providers/http/proxy.h"
#include "providers/registry.h"

namespace wsop::manifest {
namespace {

using Json = nlohmann::ordered_json;

Json metadata_json(const std::string& name, const std::string* ns,
                   const std::map<std::string, std::string>& labels,
                   const std::map<std::string, std::string>& annotations) {
  Json out = {{"name", name}};
  if (ns) out["namespace"] = *ns;
  if (!labels.empty()) out["labels"] = labels;
  if (!annotations.empty()) out["annotations"] = annotations;
  return out;
}

// Each spec.<type> block, as its descriptor renders it; one of a type no
// longer registered, or with nothing to show, is left out.
void render_type_blocks(const model::ProviderSpecParts& parts, bool workspace,
                        const providers::Registry& registry, Json& spec) {
  for (const auto& [name, decoded] : parts) {
    const providers::ProviderDescriptor* type = registry.find(name);
    if (!type || !decoded) continue;
    const auto& codec = workspace ? type->workspace_block : type->config_block;
    if (!codec) continue;
    Json block = codec->render(*decoded);
    if (!block.is_null()) spec[name] = std::move(block);
  }
}

}  // namespace

Json to_manifest_json(const model::Hardware& hw) {
  Json out = Json::object();
  if (hw.cpu_kind) out["cpuKind"] = *hw.cpu_kind;
  if (hw.cpus) out["cpus"] = *hw.cpus;
  if (hw.memory_mb) out["memoryMb"] = *hw.memory_mb;
  if (hw.volume_size_gb) out["volumeSizeGb"] = *hw.volume_size_gb;
  if (hw.gpu_kind) out["gpuKind"] = hw.gpu_kind->has_value() ? Json(**hw.gpu_kind) : Json(nullptr);
  return out;
}

Json to_manifest_json(const model::ProviderConfig& config, const providers::Registry& registry) {
  Json credentials = Json::object();
  if (config.credentials.env) credentials["env"] = *config.credentials.env;
  if (config.credentials.file) credentials["file"] = *config.credentials.file;
  if (const auto& ref = config.credentials.secret_ref) {
    credentials["secretRef"] = {{"namespace", ref->ns}, {"name", ref->name}, {"key", ref->key}};
  }
  Json spec = {
      {"type", model::to_string(config.type)},
      {"baseUrl", config.base_url},
      {"credentials", credentials},
      {"rateLimit", {{"qps", config.rate_limit.qps}, {"burst", config.rate_limit.burst}}},
      {"timeouts",
       {{"connect", format_duration(config.timeouts.connect)},
        {"request", format_duration(config.timeouts.request)}}},
      {"tls",
       {{"caFile", config.tls.ca_file}, {"insecureSkipVerify", config.tls.insecure_skip_verify}}},
  };
  if (config.proxy.url) spec["proxy"] = {{"url", *config.proxy.url}};
  if (config.proxy.none) spec["proxy"] = {{"none", true}};
  render_type_blocks(config.provider_specs, /*workspace=*/false, registry, spec);
  return {{"apiVersion", model::kApiVersion},
          {"kind", model::kKindProviderConfig},
          {"metadata", metadata_json(config.name, nullptr, config.labels, config.annotations)},
          {"spec", spec}};
}

Json to_manifest_json(const model::Workspace& ws, const providers::Registry& registry) {
  Json spec = {{"providerConfigRef", {{"name", ws.provider_config}}},
               {"externalId", ws.external_id},
               {"displayName", ws.display_name}};
  if (ws.description) spec["description"] = *ws.description;
  spec["deletionPolicy"] = model::to_string(ws.deletion_policy);
  spec["managementPolicy"] = model::to_string(ws.management_policy);
  if (ws.hardware) spec["hardware"] = to_manifest_json(*ws.hardware);
  render_type_blocks(ws.provider_specs, /*workspace=*/true, registry, spec);
  return {{"apiVersion", model::kApiVersion},
          {"kind", model::kKindWorkspace},
          {"metadata", metadata_json(ws.name, &ws.ns, ws.labels, ws.annotations)},
          {"spec", spec}};
}

Json to_manifest_list(const ManifestSet& set) {
  Json items = Json::array();
  for (const auto& config : set.provider_configs) {
    Json item = to_manifest_json(config);
    // Printed: a proxy's password must not be.
    if (config.proxy.url) item["spec"]["proxy"]["url"] = http::redact_proxy_url(*config.proxy.url);
    items.push_back(std::move(item));
  }
  for (const auto& ws : set.workspaces) items.push_back(to_manifest_json(ws));
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
}

std::string desired_digest(const model::Workspace& workspace, const providers::Registry& registry) {
  auto json = to_manifest_json(workspace, registry);
  json["metadata"].erase("annotations");  // a reconcile request is not a spec change
  return sha256_hex(json.dump());
}

}  // namespace wsop::manifest
