#include "providers/cadenya/sim_request.h"

#include <cctype>

namespace wsop::cadenya::simdetail {
namespace {

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 characters.
bool qualified_name(const std::string& text) {
  if (text.empty() || text.size() > 63 || !alnum(text.front()) || !alnum(text.back())) {
    return false;
  }
  for (char c : text) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// A lower-case DNS-1123 subdomain of at most 253 characters.
bool dns_subdomain(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t dot = text.find('.', start);
    std::string label =
        text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
        return false;
      }
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

Error read_optional_string(const nlohmann::json& object, const char* key, const char* path,
                           std::optional<std::string>* out) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_string()) return std::string(path) + ": expected a string";
  *out = object[key].get<std::string>();
  return std::nullopt;
}

Error read_labels(const nlohmann::json& metadata, std::optional<Labels>* out) {
  if (!metadata.contains("labels") || metadata["labels"].is_null()) return std::nullopt;
  const auto& labels = metadata["labels"];
  if (!labels.is_object()) return "metadata.labels: expected an object of strings";
  Labels result;
  for (const auto& [key, value] : labels.items()) {
    if (!value.is_string()) return "metadata.labels." + key + ": expected a string";
    if (Error e = check_label(key, value.get<std::string>())) return e;
    result[key] = value.get<std::string>();
  }
  *out = std::move(result);
  return std::nullopt;
}

}  // namespace

Error check_label(const std::string& key, const std::string& value) {
  std::size_t slash = key.find('/');
  std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  if (slash != std::string::npos && !dns_subdomain(key.substr(0, slash))) {
    return "invalid label key \"" + key +
           "\": the prefix must be a DNS subdomain of at most 253 characters";
  }
  if (!qualified_name(name)) {
    return "invalid label key \"" + key +
           "\": the name must be 1 to 63 alphanumeric characters, with '-', '_' or '.' inside";
  }
  if (!value.empty() && !qualified_name(value)) {
    return "invalid label value \"" + value + "\" for key \"" + key +
           "\": at most 63 alphanumeric characters, with '-', '_' or '.' inside";
  }
  return std::nullopt;
}

Error read_fields(const nlohmann::json& body, Fields* out) {
  if (!body.is_object()) return "the request body must be a JSON object";
  nlohmann::json metadata = body.value("metadata", nlohmann::json::object());
  nlohmann::json spec = body.value("spec", nlohmann::json::object());
  if (metadata.is_null()) metadata = nlohmann::json::object();
  if (spec.is_null()) spec = nlohmann::json::object();
  if (!metadata.is_object()) return "metadata: expected an object";
  if (!spec.is_object()) return "spec: expected an object";
  if (Error e = read_optional_string(metadata, "name", "metadata.name", &out->name)) return e;
  if (!out->name || out->name->empty()) return "metadata.name is required";
  if (Error e =
          read_optional_string(metadata, "externalId", "metadata.externalId", &out->external_id)) {
    return e;
  }
  if (Error e = read_labels(metadata, &out->labels)) return e;
  return read_optional_string(spec, "description", "spec.description", &out->description);
}

Error read_update_mask(const std::string& mask, std::set<std::string>* paths) {
  static const std::set<std::string> kKnown = {"metadata.name", "metadata.externalId",
                                               "metadata.labels", "spec.description"};
  std::size_t start = 0;
  while (start <= mask.size()) {
    std::size_t comma = mask.find(',', start);
    std::string path =
        mask.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!path.empty() && path.front() == ' ') path.erase(0, 1);
    while (!path.empty() && path.back() == ' ') path.pop_back();
    if (!path.empty()) {
      if (!kKnown.count(path)) return "invalid updateMask path \"" + path + "\"";
      paths->insert(path);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return std::nullopt;
}

Error read_label_filter(const std::string& filter,
                        std::vector<std::pair<std::string, std::string>>* out) {
  std::size_t start = 0;
  while (!filter.empty() && start <= filter.size()) {
    std::size_t comma = filter.find(',', start);
    std::string term =
        filter.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t eq = term.find('=');
    if (eq == std::string::npos || eq == 0) {
      return "invalid labels filter \"" + filter + "\": expected k=v,k2=v2";
    }
    out->emplace_back(term.substr(0, eq), term.substr(eq + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return std::nullopt;
}

}  // namespace wsop::cadenya::simdetail
