#include "controller/model/resource.h"

namespace wsop::model {

const char* to_string(ProviderType type) {
  switch (type) {
    case ProviderType::kParadigm: return "paradigm";
    case ProviderType::kCadenya: return "cadenya";
    case ProviderType::kAether: return "aether";
  }
  return "unknown";
}

std::optional<ProviderType> provider_type_from_string(const std::string& text) {
  if (text == "paradigm") return ProviderType::kParadigm;
  if (text == "cadenya") return ProviderType::kCadenya;
  if (text == "aether") return ProviderType::kAether;
  return std::nullopt;
}

const char* default_base_url(ProviderType type) {
  switch (type) {
    case ProviderType::kParadigm: return "https://paradigm.lighton.ai";
    case ProviderType::kCadenya: return "https://api.cadenya.com";
    case ProviderType::kAether: return "https://api.runaether.dev";
  }
  return "";
}

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

const char* to_string(DocumentUploadMethod method) {
  return method == DocumentUploadMethod::kManual ? "manual" : "synced";
}

const char* to_string(PowerState state) {
  return state == PowerState::kRunning ? "Running" : "Stopped";
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

std::vector<std::string> Workspace::local_only_fields(ProviderType type) const {
  std::vector<std::string> out;
  bool explicit_display_name = display_name != name;
  bool explicit_external_id = external_id != ns + "/" + name;
  switch (type) {
    case ProviderType::kAether:  // no name, description, labels or external id (seed 003)
      if (explicit_display_name) out.push_back("spec.displayName");
      if (description) out.push_back("spec.description");
      if (!labels.empty()) out.push_back("metadata.labels");
      if (explicit_external_id) out.push_back("spec.externalId");
      break;
    case ProviderType::kParadigm:  // no labels, no external id (seeds 000, 001)
      if (!labels.empty()) out.push_back("metadata.labels");
      if (explicit_external_id) out.push_back("spec.externalId");
      break;
    case ProviderType::kCadenya: break;  // stores all of them (seed 002)
  }
  return out;
}

}  // namespace wsop::model
