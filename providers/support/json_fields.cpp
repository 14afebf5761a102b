#include "providers/support/json_fields.h"

namespace wsop::providers {

Outcome<Json> parse_body(std::string_view body, std::string_view what) {
  Json parsed = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::error(Code::kTransient, "malformed JSON in " + std::string(what) + " (" +
                                               std::to_string(body.size()) + " bytes)");
  }
  return parsed;
}

namespace {
const Json* field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
}  // namespace

std::optional<std::string> get_string(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<int64_t> get_int(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<bool> get_bool(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

const Json* get_object(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  return v && v->is_object() ? v : nullptr;
}

const Json* get_array(const Json& object, std::string_view key) {
  const Json* v = field(object, key);
  return v && v->is_array() ? v : nullptr;
}

std::optional<std::string> get_id(const Json& object, std::string_view key) {
  if (auto n = get_int(object, key)) return std::to_string(*n);
  auto s = get_string(object, key);
  if (s && !s->empty()) return s;
  return std::nullopt;
}

}  // namespace wsop::providers
