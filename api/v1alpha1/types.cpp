#include "api/v1alpha1/types.h"

namespace wsop::model {

const char* to_string(DeletionPolicy policy) {
  return policy == DeletionPolicy::kDelete ? "Delete" : "Orphan";
}

const char* to_string(ManagementPolicy policy) {
  switch (policy) {
    case ManagementPolicy::kFull: return "Full";
    case ManagementPolicy::kObserveOnly: return "ObserveOnly";
    case ManagementPolicy::kCreateOnly: return "CreateOnly";
  }
  return "unknown";
}

const char* to_string(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::kTrue: return "True";
    case ConditionStatus::kFalse: return "False";
    case ConditionStatus::kUnknown: return "Unknown";
  }
  return "Unknown";
}

std::optional<ConditionStatus> condition_status_from_string(const std::string& text) {
  if (text == "True") return ConditionStatus::kTrue;
  if (text == "False") return ConditionStatus::kFalse;
  if (text == "Unknown") return ConditionStatus::kUnknown;
  return std::nullopt;
}

std::optional<WorkspaceKey> WorkspaceKey::parse(std::string_view text,
                                                std::string_view default_ns) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (text.empty()) return std::nullopt;
    return WorkspaceKey{std::string(default_ns), std::string(text)};
  }
  std::string_view ns = text.substr(0, slash), name = text.substr(slash + 1);
  if (ns.empty() || name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return WorkspaceKey{std::string(ns), std::string(name)};
}

namespace {

const ProviderSpecBlock* block_of(const ProviderSpecParts& parts, const std::string& type) {
  auto it = parts.find(type);
  return it == parts.end() ? nullptr : it->second.get();
}

}  // namespace

const ProviderSpecBlock* ProviderConfig::provider_spec(const std::string& type) const {
  return block_of(provider_specs, type);
}

const ProviderSpecBlock* Workspace::provider_spec(const std::string& type) const {
  return block_of(provider_specs, type);
}

std::optional<std::string> Workspace::external_name() const {
  auto it = annotations.find(kAnnotationExternalName);
  if (it == annotations.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool Workspace::paused() const {
  auto it = annotations.find(kAnnotationPaused);
  return it != annotations.end() && it->second == "true";
}

}  // namespace wsop::model
