#include "sim/core/auth.h"

#include <strings.h>

namespace wsop::sim {

std::optional<std::string> bearer_token(const http::Request& request) {
  std::optional<std::string> header = request.header("authorization");
  if (!header || header->size() <= 7 || strncasecmp(header->c_str(), "Bearer ", 7) != 0) {
    return std::nullopt;
  }
  std::string token = header->substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  while (!token.empty() && token.back() == ' ') token.pop_back();
  if (token.empty()) return std::nullopt;
  return token;
}

Caller identify(const AuthConfig& auth, const http::Request& request) {
  std::optional<std::string> token = bearer_token(request);
  if (!token) return Caller::kAnonymous;
  bool admin = auth.admin_tokens.count(*token) > 0;
  bool accepted = admin || auth.tokens.empty() || auth.tokens.count(*token) > 0;
  if (!accepted) return Caller::kRejected;
  if (admin || auth.admin_tokens.empty()) return Caller::kAdmin;
  return Caller::kUser;
}

}  // namespace wsop::sim
