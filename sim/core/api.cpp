#include "sim/core/api.h"

namespace wsop::sim {

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump();
  return response;
}

std::string media_type(const http::Request& request) {
  std::string value = request.header("content-type").value_or("");
  value = value.substr(0, value.find(';'));
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && space(value.back())) value.pop_back();
  std::size_t start = 0;
  while (start < value.size() && space(value[start])) ++start;
  return http::lower(std::string_view(value).substr(start));
}

bool unsupported_body(const http::Request& request, const std::vector<std::string>& accepted) {
  const std::string& method = request.method;
  if (request.body.empty() || (method != "POST" && method != "PUT" && method != "PATCH")) {
    return false;
  }
  std::string type = media_type(request);
  for (const std::string& a : accepted) {
    if (type == a) return false;
  }
  return true;
}

std::optional<nlohmann::json> parse_json(std::string_view body, std::string* error) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    if (error) *error = "the body is not valid JSON";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace wsop::sim
