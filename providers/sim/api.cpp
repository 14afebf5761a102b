#include "providers/sim/api.h"

namespace wsop::sim {

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump();
  return response;
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
