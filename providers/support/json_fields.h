// Reading vendor JSON without trusting it: every accessor returns nothing
// for a missing field or one of another type, and never throws. Vendor
// pages disagree on shapes (paradigm.md), so unknown fields are ignored and
// missing optional ones are not errors.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wsop::providers {

using Json = nlohmann::json;

// Parses a response body; kTransient with a short excerpt-free message when
// it is not JSON (a proxy's HTML page, a truncated body).
Outcome<Json> parse_body(std::string_view body, std::string_view what);

// A body whose top-level object holds a long array under one key (a list
// answer), read as a stream: each item of that array goes to `on_item` as
// soon as it is read, and the answer never stands whole as a tree beside
// the workspaces made of it (10,000 workspaces). The answer's other fields
// are skipped. Linear in the body whatever its shape (nlohmann's callback
// parser rescans an array per object closed in it: quadratic on a hostile
// answer with a long array elsewhere).
struct StreamedItems {
  size_t items = 0;
  bool array_found = false;  // the top-level object has the key, as an array
};
Outcome<StreamedItems> parse_body_items(std::string_view body, std::string_view what,
                                        std::string_view array_key,
                                        const std::function<void(Json&& item)>& on_item);

std::optional<std::string> get_string(const Json& object, std::string_view key);
std::optional<int64_t> get_int(const Json& object, std::string_view key);
std::optional<bool> get_bool(const Json& object, std::string_view key);
const Json* get_object(const Json& object, std::string_view key);
const Json* get_array(const Json& object, std::string_view key);

// An id that vendors send as a number (Paradigm) or a string.
std::optional<std::string> get_id(const Json& object, std::string_view key);

// Writes `value` under `key` of `object` (made an object if it is not one),
// or removes the key when there is no value; an object left without keys
// becomes null. For a provider's own observations
// (RemoteWorkspace::vendor_fields, providers/provider.h).
template <typename T>
void set_or_erase(Json& object, const std::string& key, const std::optional<T>& value) {
  if (value) {
    if (!object.is_object()) object = Json::object();
    object[key] = *value;
  } else if (object.is_object()) {
    object.erase(key);
    if (object.empty()) object = nullptr;
  }
}

}  // namespace wsop::providers
