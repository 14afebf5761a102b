// Rules that need more than one document: references, uniqueness, and which
// spec blocks fit the referenced provider's type, as its descriptor
// (providers/descriptor.h) and capabilities say.
#include <map>
#include <string_view>

#include "common/text.h"
#include "controller/manifest/decode.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/rules.h"
#include "providers/registry.h"

namespace wsop::manifest {
namespace {

// A set built by hand has no sources: its messages carry no position.
const DocumentSource kNoSource;

std::string where(const DocumentSource& source, Mark at) {
  return source.file_name() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

bool within(std::string_view path, std::string_view ancestor) {
  return path.size() > ancestor.size() && path.substr(0, ancestor.size()) == ancestor &&
         (path[ancestor.size()] == '.' || path[ancestor.size()] == '[');
}

// A document as the rules see it. A rejected one carries the fields its own
// errors are about: a rule that needs such a field skips the document, so
// that no error is reported twice or derived from a default filled in for a
// value that failed.
template <class T>
struct Checked {
  const T* resource;
  const DocumentSource* source;
  const std::vector<std::string>* error_paths = nullptr;  // null when valid

  bool valid() const { return error_paths == nullptr; }
  // An error of the document's own is about field or something inside it.
  bool failed(std::string_view field) const {
    if (!error_paths) return false;
    for (const std::string& path : *error_paths) {
      if (path == field || within(path, field)) return true;
    }
    return false;
  }
  // Nor about a map holding field (missing, or not a map).
  bool trusts(std::string_view field) const {
    if (failed(field)) return false;
    if (!error_paths) return true;
    for (const std::string& path : *error_paths) {
      if (within(field, path)) return false;
    }
    return true;
  }
};

// Valid and rejected documents merged back into the order they were loaded,
// so that "first defined at" names the first one in the set.
template <class T>
std::vector<Checked<T>> in_document_order(const std::vector<T>& valid,
                                          const std::vector<DocumentSource>& sources,
                                          const std::vector<RejectedDocument<T>>& rejected) {
  std::vector<Checked<T>> out;
  out.reserve(valid.size() + rejected.size());
  bool in_step = sources.size() == valid.size();
  size_t next = 0;
  auto push_valid = [&] {
    out.push_back({&valid[next], in_step ? &sources[next] : &kNoSource});
    ++next;
  };
  for (const auto& doc : rejected) {
    while (next < doc.valid_before && next < valid.size()) push_valid();
    out.push_back({&doc.resource, &doc.source, &doc.error_paths});
  }
  while (next < valid.size()) push_valid();
  return out;
}

using CheckedConfigs = std::vector<Checked<model::ProviderConfig>>;
using CheckedWorkspaces = std::vector<Checked<model::Workspace>>;

bool name_known(const Checked<model::ProviderConfig>& checked) {
  return !checked.resource->name.empty() && checked.trusts("metadata.name");
}

bool key_known(const Checked<model::Workspace>& checked) {
  return !checked.resource->name.empty() && checked.trusts("metadata.name") &&
         checked.trusts("metadata.namespace");
}

// externalId defaults to "<namespace>/<name>": a default is as known as the
// key it is made of.
bool external_id_known(const Checked<model::Workspace>& checked, bool key_is_known) {
  const model::Workspace& ws = *checked.resource;
  if (checked.failed("spec.externalId")) return false;
  return key_is_known || ws.external_id != ws.ns + "/" + ws.name;
}

void check_unique_configs(const CheckedConfigs& configs, std::vector<Diagnostic>& errors) {
  std::map<std::string, const DocumentSource*> seen;
  for (const auto& checked : configs) {
    if (!name_known(checked)) continue;
    const model::ProviderConfig& config = *checked.resource;
    const DocumentSource& source = *checked.source;
    auto [it, inserted] = seen.emplace(config.name, &source);
    if (!inserted) {
      errors.push_back({source.file_name(), source.name, "metadata.name",
                        "duplicate ProviderConfig \"" + config.name + "\" (first defined at " +
                            where(*it->second, it->second->name) + ")"});
    }
  }
}

void check_unique_workspaces(const CheckedWorkspaces& workspaces, std::vector<Diagnostic>& errors) {
  std::map<model::WorkspaceKey, const DocumentSource*> keys;
  std::map<std::string, const Checked<model::Workspace>*> external_ids;
  for (const auto& checked : workspaces) {
    const model::Workspace& ws = *checked.resource;
    const DocumentSource& source = *checked.source;
    bool known = key_known(checked);
    if (known) {
      auto [it, inserted] = keys.emplace(ws.key(), &source);
      if (!inserted) {  // its default externalId is a duplicate too: one error is enough
        errors.push_back({source.file_name(), source.name, "metadata.name",
                          "duplicate Workspace \"" + ws.key().to_string() +
                              "\" (first defined at " + where(*it->second, it->second->name) +
                              ")"});
        continue;
      }
    }
    if (!external_id_known(checked, known)) continue;
    auto [id_it, id_inserted] = external_ids.emplace(ws.external_id, &checked);
    if (!id_inserted) {
      const DocumentSource& first = *id_it->second->source;
      errors.push_back({source.file_name(), source.external_id, "spec.externalId",
                        "duplicate externalId \"" + ws.external_id + "\" (also used by Workspace " +
                            id_it->second->resource->key().to_string() + " at " +
                            where(first, first.or_start(first.name)) + ")"});
    }
  }
}

void check_external_name(const model::Workspace& ws, const DocumentSource& source,
                         const providers::ProviderDescriptor& type,
                         std::vector<Diagnostic>& errors) {
  auto id = ws.external_name();
  if (!id || !type.check_remote_id) return;
  std::string problem = type.check_remote_id(*id);
  if (!problem.empty()) {
    Mark at = source.external_name.line > 0 ? source.external_name : source.name;
    errors.push_back({source.file_name(), at,
                      std::string("metadata.annotations[") + model::kAnnotationExternalName + "]",
                      problem});
  }
}

void check_display_name(const Checked<model::Workspace>& checked,
                        const providers::ProviderDescriptor& type,
                        std::vector<Diagnostic>& errors) {
  const model::Workspace& ws = *checked.resource;
  if (!type.max_display_name_length) return;
  // displayName defaults to metadata.name; either may have failed already.
  bool display_name_known = checked.trusts("spec.displayName") &&
                            (ws.display_name != ws.name || checked.trusts("metadata.name"));
  // Counted in characters after the trim the server applies.
  std::string_view sent_name = trim_whitespace(ws.display_name);
  size_t limit = *type.max_display_name_length;
  if (display_name_known && sent_name.size() > limit) {
    std::string problem = check_printable(sent_name, limit);
    if (!problem.empty()) {
      const DocumentSource& source = *checked.source;
      errors.push_back({source.file_name(), source.display_name, "spec.displayName",
                        type.title + " " + problem});
    }
  }
}

void check_provider_blocks(const Checked<model::Workspace>& checked,
                           const model::ProviderConfig& config,
                           const providers::Registry& registry, std::vector<Diagnostic>& errors) {
  const model::Workspace& ws = *checked.resource;
  const DocumentSource& source = *checked.source;
  const std::string& file = source.file_name();
  const std::string& type_name = model::to_string(config.type);
  std::string suffix = " (ProviderConfig \"" + config.name + "\" has type " + type_name + ")";
  auto add = [&](Mark at, std::string path, std::string message) {
    errors.push_back({file, at, std::move(path), std::move(message)});
  };
  const providers::ProviderDescriptor* type = registry.find(config.type);
  if (!type) return;  // its spec.type has been reported
  for (const auto& entry : ws.provider_specs) {
    const std::string& name = entry.first;
    if (name != type->name) add(source.block(name), "spec." + name, "not allowed" + suffix);
  }
  if (ws.hardware && !type->capabilities.hardware) {
    add(source.hardware, "spec.hardware", "this provider has no hardware settings" + suffix);
  }
  // A missing field is reported at the map that lacks it, as Reader::required does.
  Mark spec_at = source.or_start(source.spec);
  bool required = type->workspace_block && !type->workspace_block->required_fields.empty();
  if (required && ws.provider_specs.count(type->name) == 0) {
    bool vowel = std::string_view("aeiou").find(type->name.front()) != std::string_view::npos;
    add(spec_at, "spec." + type->name,
        std::string("required for ") + (vowel ? "an " : "a ") + type->name + " provider (" +
            type->workspace_block->required_fields + ")");
  }
  check_display_name(checked, *type, errors);
  if (checked.trusts(std::string("metadata.annotations[") + model::kAnnotationExternalName + "]")) {
    check_external_name(ws, source, *type, errors);
  }
}

// The ProviderConfig named name whose type can be trusted: a valid one first,
// else one whose errors are elsewhere (its credentials, say), so that the
// workspaces referring to it are still checked against its type.
const model::ProviderConfig* find_typed_config(const CheckedConfigs& configs,
                                               const std::string& name) {
  const model::ProviderConfig* found = nullptr;
  for (const auto& checked : configs) {
    if (checked.resource->name != name || !name_known(checked)) continue;
    if (checked.valid()) return checked.resource;
    if (!found && checked.trusts("spec.type")) found = checked.resource;
  }
  return found;
}

// A ProviderConfig whose own name failed (missing, or not a DNS-1123 label no
// reference could spell) is meant to have a name we do not know, so any
// reference may point at it once it is fixed, as with input never read.
bool some_config_name_unknown(const ManifestSet& set, const CheckedConfigs& configs) {
  if (set.provider_config_names_unknown) return true;
  for (const auto& checked : configs) {
    if (!name_known(checked)) return true;
  }
  return false;
}

void check_reference(const ManifestSet& set, const CheckedConfigs& configs, bool names_unknown,
                     const Checked<model::Workspace>& checked, const providers::Registry& registry,
                     std::vector<Diagnostic>& errors) {
  const model::Workspace& ws = *checked.resource;
  // A reference with an error of its own has been reported already.
  if (ws.provider_config.empty() || !checked.trusts("spec.providerConfigRef.name")) return;
  if (const model::ProviderConfig* config = find_typed_config(configs, ws.provider_config)) {
    check_provider_blocks(checked, *config, registry, errors);
    return;
  }
  // The ProviderConfig may be one that failed, or one in input never read.
  if (set.invalid_provider_config_names.count(ws.provider_config) != 0) return;
  if (names_unknown) return;
  const DocumentSource& source = *checked.source;
  errors.push_back({source.file_name(), source.provider_config_ref, "spec.providerConfigRef.name",
                    "ProviderConfig \"" + ws.provider_config + "\" is not defined in the set"});
}

}  // namespace

void validate_set(const ManifestSet& set, std::vector<Diagnostic>& errors,
                  const providers::Registry& registry) {
  CheckedConfigs configs = in_document_order(set.provider_configs, set.sources.provider_configs,
                                             set.rejected_provider_configs);
  CheckedWorkspaces workspaces =
      in_document_order(set.workspaces, set.sources.workspaces, set.rejected_workspaces);
  check_unique_configs(configs, errors);
  check_unique_workspaces(workspaces, errors);
  bool names_unknown = some_config_name_unknown(set, configs);
  for (const auto& checked : workspaces) {
    check_reference(set, configs, names_unknown, checked, registry, errors);
  }
}

std::vector<Diagnostic> local_only_warnings(const ManifestSet& set,
                                            const providers::Registry& registry) {
  std::vector<Diagnostic> out;
  for (const model::Workspace& ws : set.workspaces) {
    const model::ProviderConfig* config = set.find_provider_config(ws.provider_config);
    if (!config) continue;
    const providers::ProviderDescriptor* type = registry.find(config->type);
    if (!type) continue;
    const DocumentSource* found = set.source_of(ws);
    const DocumentSource& source = found ? *found : kNoSource;
    for (const std::string& path : providers::local_only_fields(ws, type->capabilities)) {
      Mark at = source.start;
      if (path == "spec.displayName") at = source.display_name;
      if (path == "spec.externalId") at = source.external_id;
      if (path == "metadata.labels") at = source.labels;
      if (path == "spec.description") at = source.description;
      out.push_back({source.file_name(), source.or_start(at), path,
                     std::string("warning: not sent to ") + model::to_string(config->type) +
                         ", which has no such field; kept in the manifest only, so changing it "
                         "changes nothing remotely"});
    }
  }
  sort_diagnostics(out);
  return out;
}

std::vector<Diagnostic> kubernetes_only_warnings(const ManifestSet& set) {
  std::vector<Diagnostic> out;
  for (const model::ProviderConfig& config : set.provider_configs) {
    if (!config.credentials.secret_ref) continue;
    const DocumentSource* found = set.source_of(config);
    const DocumentSource& source = found ? *found : kNoSource;
    out.push_back({source.file_name(), source.or_start(source.secret_ref),
                   "spec.credentials.secretRef",
                   "warning: " + std::string(http::kSecretRefNeedsKubernetes) +
                       "; the file and git modes refuse this ProviderConfig's workspaces"});
  }
  sort_diagnostics(out);
  return out;
}

}  // namespace wsop::manifest
