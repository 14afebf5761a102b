// Workspace: ARCHITECTURE.md section 1. Hardware keeps only the types the
// vendor documents (../shared/seeds/003_209083090fbf6bb1.txt): the server
// judges ranges and CPU kinds, and its 400 is reported with its message.
// A spec.<type> block is decoded by the descriptor registered as <type>
// (providers/registry.h); which blocks fit which provider type is checked
// across documents in validate.cpp.
#include "common/text.h"
#include "controller/manifest/decode.h"
#include "controller/manifest/decode_metadata.h"
#include "controller/manifest/rules.h"
#include "controller/manifest/spec_block_reader.h"
#include "providers/registry.h"

namespace wsop::manifest {
namespace {

constexpr size_t kMaxDisplayName = 253;
constexpr size_t kMaxExternalId = 253;
constexpr size_t kMaxDescription = 4096;

void decode_hardware(Reader& reader, const YamlNode& node, model::Hardware& out) {
  const std::string base = "spec.hardware";
  if (!reader.object(node, base)) return;
  reader.reject_unknown(node, base, {"cpuKind", "cpus", "memoryMb", "volumeSizeGb", "gpuKind"});
  if (const YamlNode* v = node.find("cpuKind")) {
    if (auto text = reader.string(*v, base + ".cpuKind")) {
      if (auto problem = check_printable(*text, 63); !problem.empty() || text->empty()) {
        reader.error(v->mark, base + ".cpuKind", text->empty() ? "must not be empty" : problem);
      }
      out.cpu_kind = *text;
    }
  }
  // Counts: positive integers that fit the wire's int; the server judges more.
  const std::pair<const char*, std::optional<int>*> counts[] = {
      {"cpus", &out.cpus}, {"memoryMb", &out.memory_mb}, {"volumeSizeGb", &out.volume_size_gb}};
  for (const auto& [key, field] : counts) {
    if (const YamlNode* v = node.find(key)) {
      if (auto n = reader.integer(*v, base + "." + key, 1, INT32_MAX)) {
        *field = static_cast<int>(*n);
      }
    }
  }
  if (const YamlNode* v = node.find("gpuKind")) {
    if (value_type(*v) == ValueType::kNull) {
      out.gpu_kind = std::optional<std::string>();
    } else if (auto text = reader.string(*v, base + ".gpuKind")) {
      if (auto problem = check_printable(*text, 63); !problem.empty() || text->empty()) {
        reader.error(v->mark, base + ".gpuKind", text->empty() ? "must not be empty" : problem);
      }
      out.gpu_kind = std::optional<std::string>(*text);
    }
  }
}

// A string field with a length limit; returns nothing when absent or wrong.
std::optional<std::string> text_field(Reader& reader, const YamlNode& spec, std::string_view key,
                                      size_t max_length) {
  const YamlNode* v = spec.find(key);
  if (!v) return std::nullopt;
  std::string path = "spec." + std::string(key);
  auto text = reader.string(*v, path);
  if (!text) return std::nullopt;
  std::string problem = key == "description" ? check_multiline(*text, max_length)
                                             : check_printable(*text, max_length);
  if (problem.empty() && text->empty() && key != "description") problem = "must not be empty";
  // Servers trim names (Paradigm, docs/PROVIDERS.md): a blank one is empty.
  if (problem.empty() && key == "displayName" && trim_whitespace(*text).empty()) {
    problem = "must not be only whitespace";
  }
  if (!problem.empty()) reader.error(v->mark, path, problem);
  return text;
}

void decode_policies(Reader& reader, const YamlNode& spec, model::Workspace& out) {
  if (const YamlNode* v = spec.find("deletionPolicy")) {
    if (auto text = reader.one_of(*v, "spec.deletionPolicy", {"Delete", "Orphan"})) {
      out.deletion_policy =
          *text == "Delete" ? model::DeletionPolicy::kDelete : model::DeletionPolicy::kOrphan;
    }
  }
  if (const YamlNode* v = spec.find("managementPolicy")) {
    if (auto text =
            reader.one_of(*v, "spec.managementPolicy", {"Full", "ObserveOnly", "CreateOnly"})) {
      out.management_policy = *text == "Full"          ? model::ManagementPolicy::kFull
                              : *text == "ObserveOnly" ? model::ManagementPolicy::kObserveOnly
                                                       : model::ManagementPolicy::kCreateOnly;
    }
  }
}

void decode_provider_ref(Reader& reader, const YamlNode& spec, model::Workspace& out) {
  const YamlNode* ref = reader.required(spec, "spec", "providerConfigRef");
  if (!ref || !reader.object(*ref, "spec.providerConfigRef")) return;
  reader.reject_unknown(*ref, "spec.providerConfigRef", {"name"});
  if (const YamlNode* name = reader.required(*ref, "spec.providerConfigRef", "name")) {
    if (auto text = reader.string(*name, "spec.providerConfigRef.name")) {
      if (auto problem = check_dns1123_label(*text); !problem.empty()) {
        reader.error(name->mark, "spec.providerConfigRef.name", problem);
      }
      out.provider_config = *text;
    }
  }
}

bool is_generic_spec_field(std::string_view key) {
  static constexpr std::string_view kGeneric[] = {
      "providerConfigRef", "externalId",       "displayName", "description",
      "deletionPolicy",    "managementPolicy", "hardware"};
  for (std::string_view known : kGeneric) {
    if (known == key) return true;
  }
  return false;
}

// The generic fields, and a block for every type whose descriptor has one.
void reject_unknown_spec_fields(Reader& reader, const YamlNode& spec,
                                const providers::Registry& registry) {
  for (const auto& entry : spec.entries) {
    if (is_generic_spec_field(entry.key)) continue;
    const providers::ProviderDescriptor* type = registry.find(entry.key);
    if (type && type->workspace_block) continue;
    reader.error(entry.key_mark, join_path("spec", entry.key),
                 "unknown field \"" + entry.key + "\"");
  }
}

void decode_spec(Reader& reader, const YamlNode& spec, const providers::Registry& registry,
                 model::Workspace& out) {
  reject_unknown_spec_fields(reader, spec, registry);
  decode_provider_ref(reader, spec, out);
  if (auto v = text_field(reader, spec, "externalId", kMaxExternalId)) out.external_id = *v;
  if (auto v = text_field(reader, spec, "displayName", kMaxDisplayName)) out.display_name = *v;
  out.description = text_field(reader, spec, "description", kMaxDescription);
  decode_policies(reader, spec, out);
  if (const YamlNode* v = spec.find("hardware")) {
    decode_hardware(reader, *v, out.hardware.emplace());
  }
  for (const providers::ProviderDescriptor& type : registry.descriptors()) {
    if (!type.workspace_block) continue;
    if (const YamlNode* v = spec.find(type.name)) {
      out.provider_specs[type.name] =
          decode_spec_block(reader, *v, type.name, *type.workspace_block);
    }
  }
}

}  // namespace

model::Workspace decode_workspace(const YamlNode& root, DiagnosticSink& sink,
                                  const providers::Registry& registry) {
  Reader reader(sink);
  model::Workspace out;
  for (const auto& entry : root.entries) {
    if (entry.key == "status") {
      reader.error(entry.key_mark, "status",
                   "status is written by the operator; remove it from the manifest");
    }
  }
  reader.reject_unknown(root, "", {"apiVersion", "kind", "metadata", "spec", "status"});
  Metadata metadata = decode_metadata(reader, root, /*namespaced=*/true);
  out.name = metadata.name;
  out.ns = metadata.ns.value_or(model::kDefaultNamespace);
  out.labels = std::move(metadata.labels);
  out.annotations = std::move(metadata.annotations);
  const YamlNode* spec = reader.required(root, "", "spec");
  if (spec && reader.object(*spec, "spec")) decode_spec(reader, *spec, registry, out);
  if (out.external_id.empty()) out.external_id = out.ns + "/" + out.name;
  if (out.display_name.empty()) out.display_name = out.name;
  return out;
}

}  // namespace wsop::manifest
