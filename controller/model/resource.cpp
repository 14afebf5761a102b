#include "controller/model/resource.h"

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
