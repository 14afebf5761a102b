// Form bodies as Django reads them for Django REST framework's FormParser and
// MultiPartParser. Paradigm's create accepts application/x-www-form-urlencoded
// and multipart/form-data besides JSON (seed 000 lines 35-45), so its
// simulator must read them too. Values are strings, a repeated field keeps its
// last value (QueryDict.__getitem__), and file parts are not data fields.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace wsop::sim {

// The value of parameter `name` of a header value such as a Content-Type
// ("multipart/form-data; boundary=x") or a Content-Disposition
// ("form-data; name=\"a\""), unquoted; nullopt when absent.
std::optional<std::string> header_param(std::string_view header_value, std::string_view name);

// "a=1&b=x+y" -> {"a": "1", "b": "x y"}.
nlohmann::json parse_urlencoded(std::string_view body);

// The non-file fields of a multipart/form-data body; nullopt with *error set
// when it is malformed.
std::optional<nlohmann::json> parse_multipart(std::string_view body, std::string_view boundary,
                                              std::string* error);

}  // namespace wsop::sim
