// The endpoint scaffolding every simulated API shares: an endpoint table
// (method, path, operation) and the checks run before each handler, in the
// order the vendors' frameworks run them: the bearer token (auth.h), the
// simulator's own checks, then the body's media type (415). The answers are
// the simulator's own, in its vendor's shapes (RouteChecks).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/http/message.h"
#include "common/http/router.h"
#include "sim/core/auth.h"

namespace wsop::sim {

// One endpoint. A simulator lists them in one table, so that a correction
// is one line.
struct Endpoint {
  const char* method;
  const char* path;       // "{param}" segments as common/http/router.h reads them
  const char* operation;  // "create", "get", ...: the route's name in /_sim/stats
};

// A check before the handler: an answer ends the request there.
using RouteCheck = std::function<std::optional<http::Response>(
    const Endpoint& endpoint, const http::Request& request, const http::PathParams& params)>;

struct RouteChecks {
  AuthConfig auth;
  // Only admins (Caller::kAdmin) may call; otherwise any accepted token may.
  bool admin_only = false;
  // The answer to a caller refused: kAnonymous, kRejected, or kUser when
  // admin_only.
  std::function<http::Response(Caller caller)> deny;
  // The simulator's own checks, after the token and before the body; may be
  // empty.
  RouteCheck permit;
  // The media types (lower case) a request body may have (api.h:
  // unsupported_body), and the answer to a body of another one.
  std::vector<std::string> media_types;
  std::function<http::Response(const http::Request& request)> unsupported_media_type;
};

class Routes {
 public:
  explicit Routes(RouteChecks checks);

  void add(const Endpoint& endpoint, http::RouteHandler handler);
  // A member function of the simulator as the handler.
  template <class Sim>
  void add(const Endpoint& endpoint, Sim* sim,
           http::Response (Sim::*handler)(const http::Request&, const http::PathParams&)) {
    add(endpoint, [sim, handler](const http::Request& request, const http::PathParams& params) {
      return (sim->*handler)(request, params);
    });
  }

  const http::Router& router() const { return router_; }
  const AuthConfig& auth() const { return checks_->auth; }

 private:
  // Shared with the routes' handlers, which outlive no Routes but may be
  // copied with the router.
  std::shared_ptr<const RouteChecks> checks_;
  http::Router router_;
};

// An answer without a body: the 204 of a delete, say.
http::Response empty_response(int status);

}  // namespace wsop::sim
