// Bearer-token checks shared by the three simulated APIs. With no tokens
// configured any non-empty token is accepted (the demo default,
// ARCHITECTURE.md section 9); admin tokens matter only to Cadenya, whose
// workspace administration is admin-only.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/http/message.h"

namespace wsop::sim {

struct AuthConfig {
  std::set<std::string> tokens;        // accepted; empty = any non-empty token
  std::set<std::string> admin_tokens;  // admins (also accepted); empty = every accepted token
};

enum class Caller { kAnonymous, kRejected, kUser, kAdmin };

// Who sent the request: kAnonymous without a bearer token, kRejected for a
// token that is not accepted.
Caller identify(const AuthConfig& auth, const http::Request& request);

// The token of an "Authorization: Bearer <token>" header.
std::optional<std::string> bearer_token(const http::Request& request);

}  // namespace wsop::sim
