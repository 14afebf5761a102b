// Rules that need more than one document: references, uniqueness, and which
// spec blocks fit the referenced provider's type.
#include <map>

#include "controller/manifest/decode.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/rules.h"

namespace wsop::manifest {
namespace {

std::string where(const std::string& file, model::LineCol at) {
  return file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

void check_unique(const ManifestSet& set, std::vector<Diagnostic>& errors) {
  std::map<std::string, const model::ProviderConfig*> configs;
  for (const auto& config : set.provider_configs) {
    auto [it, inserted] = configs.emplace(config.name, &config);
    if (!inserted) {
      errors.push_back({config.position.file, to_mark(config.name_mark), "metadata.name",
                        "duplicate ProviderConfig \"" + config.name + "\" (first defined at " +
                            where(it->second->position.file, it->second->name_mark) + ")"});
    }
  }
  std::map<model::WorkspaceKey, const model::Workspace*> keys;
  std::map<std::string, const model::Workspace*> external_ids;
  for (const auto& ws : set.workspaces) {
    auto [it, inserted] = keys.emplace(ws.key(), &ws);
    if (!inserted) {
      errors.push_back({ws.position.file, to_mark(ws.marks.name), "metadata.name",
                        "duplicate Workspace \"" + ws.key().to_string() + "\" (first defined at " +
                            where(it->second->position.file, it->second->marks.name) + ")"});
      continue;
    }
    auto [id_it, id_inserted] = external_ids.emplace(ws.external_id, &ws);
    if (!id_inserted) {
      errors.push_back({ws.position.file, to_mark(ws.marks.external_id), "spec.externalId",
                        "duplicate externalId \"" + ws.external_id + "\" (also used by Workspace " +
                            id_it->second->key().to_string() + " at " +
                            where(id_it->second->position.file, id_it->second->marks.name) + ")"});
    }
  }
}

// The loader's extra positions for ws, or nothing (a set built by hand).
const WorkspaceFieldMarks* field_marks(const ManifestSet& set, const model::Workspace& ws) {
  auto it = set.workspace_field_marks.find(
      {ws.position.file, ws.position.at.line, ws.position.at.column});
  return it == set.workspace_field_marks.end() ? nullptr : &it->second;
}

void check_external_name(const model::Workspace& ws, const WorkspaceFieldMarks* marks,
                         model::ProviderType type, std::vector<Diagnostic>& errors) {
  auto id = ws.external_name();
  if (!id) return;
  std::string problem;
  if (type == model::ProviderType::kParadigm &&
      id->find_first_not_of("0123456789") != std::string::npos) {
    problem = "must be a Paradigm workspace id (an integer), got \"" + *id + "\"";
  } else if (type == model::ProviderType::kAether) {
    problem = check_uuid(*id);
  }
  if (!problem.empty()) {
    Mark at =
        marks && marks->external_name.line > 0 ? marks->external_name : to_mark(ws.marks.name);
    errors.push_back({ws.position.file, at,
                      std::string("metadata.annotations[") + model::kAnnotationExternalName + "]",
                      problem});
  }
}

void check_provider_blocks(const model::Workspace& ws, const WorkspaceFieldMarks* marks,
                           const model::ProviderConfig& config, std::vector<Diagnostic>& errors) {
  const std::string& file = ws.position.file;
  std::string type = model::to_string(config.type);
  std::string suffix = " (ProviderConfig \"" + config.name + "\" has type " + type + ")";
  auto add = [&](model::LineCol at, std::string path, std::string message) {
    errors.push_back({file, to_mark(at), std::move(path), std::move(message)});
  };
  bool paradigm = config.type == model::ProviderType::kParadigm;
  bool aether = config.type == model::ProviderType::kAether;
  if (ws.paradigm && !paradigm) add(ws.marks.paradigm, "spec.paradigm", "not allowed" + suffix);
  if (ws.aether && !aether) add(ws.marks.aether, "spec.aether", "not allowed" + suffix);
  if (ws.hardware && !aether) {
    add(ws.marks.hardware, "spec.hardware", "this provider has no hardware settings" + suffix);
  }
  // A missing field is reported at the map that lacks it, as Reader::required does.
  model::LineCol spec_at =
      marks && marks->spec.line > 0 ? to_line_col(marks->spec) : ws.position.at;
  if (paradigm && !ws.paradigm) {
    add(spec_at, "spec.paradigm", "required for a paradigm provider (companyId)");
  }
  if (aether && !ws.aether) {
    add(spec_at, "spec.aether", "required for an aether provider (projectId)");
  }
  if (paradigm && ws.display_name.size() > model::kParadigmMaxNameLength) {
    std::string problem = check_printable(ws.display_name, model::kParadigmMaxNameLength);
    if (!problem.empty()) add(ws.marks.display_name, "spec.displayName", "Paradigm " + problem);
  }
  check_external_name(ws, marks, config.type, errors);
}

}  // namespace

void validate_set(const ManifestSet& set, std::vector<Diagnostic>& errors) {
  check_unique(set, errors);
  for (const auto& ws : set.workspaces) {
    const model::ProviderConfig* config = set.find_provider_config(ws.provider_config);
    if (config == nullptr && set.has_invalid_provider_configs) continue;
    if (config == nullptr) {
      errors.push_back({ws.position.file, to_mark(ws.marks.provider_config_ref),
                        "spec.providerConfigRef.name",
                        "ProviderConfig \"" + ws.provider_config + "\" is not defined in the set"});
      continue;
    }
    check_provider_blocks(ws, field_marks(set, ws), *config, errors);
  }
}

}  // namespace wsop::manifest
