#include "sim/cadenya/cadenya_request.h"

namespace wsop::sim::cadenya::internal {
namespace {

Error read_optional_string(const nlohmann::json& object, const char* key, const char* path,
                           std::optional<std::string>* out) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  if (!object[key].is_string()) return std::string(path) + ": expected a string";
  *out = object[key].get<std::string>();
  return std::nullopt;
}

// labels: "optional map[string] Arbitrary key-value pairs" (seed 002): any
// key and any string value; only a non-object or a non-string value is
// refused.
Error read_labels(const nlohmann::json& metadata, std::optional<Labels>* out) {
  if (!metadata.contains("labels") || metadata["labels"].is_null()) return std::nullopt;
  const auto& labels = metadata["labels"];
  if (!labels.is_object()) return "metadata.labels: expected an object of strings";
  Labels result;
  for (const auto& [key, value] : labels.items()) {
    if (!value.is_string()) return "metadata.labels." + key + ": expected a string";
    result[key] = value.get<std::string>();
  }
  *out = std::move(result);
  return std::nullopt;
}

}  // namespace

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

}  // namespace wsop::sim::cadenya::internal
