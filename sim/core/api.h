// The seam between the shared simulator plumbing (faults, statistics, the
// /_sim/ admin API: service.h) and one vendor's simulated API
// (sim/<vendor>/<vendor>_sim.h). A vendor Api stores its workspaces, guards them
// with its own lock (handlers run on several server threads) and answers in
// its vendor's shapes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/message.h"
#include "common/http/router.h"

namespace wsop::sim {

class Api {
 public:
  virtual ~Api() = default;

  // The provider type it simulates: its registered name (registry.h).
  virtual std::string_view provider() const = 0;
  // The vendor endpoints; each route's name is its operation ("create",
  // "get", "list", "update", "delete", "start", "stop").
  virtual const http::Router& router() const = 0;
  // The vendor's error answer for an HTTP status: used for injected faults,
  // 429s and unknown routes.
  virtual http::Response error(int status, std::string_view message) const = 0;
  // Every stored workspace, deleted or archived ones included, each in the
  // vendor's shape plus "deleted": bool.
  virtual nlohmann::json state() const = 0;
  // Forgets every workspace (ids start again) and restores start-up data.
  virtual void reset() = 0;
};

http::Response json_response(int status, const nlohmann::json& body);

// The media type of the request's Content-Type, lower-cased and without
// parameters ("Application/JSON; charset=utf-8" -> "application/json"); ""
// when the header is absent.
std::string media_type(const http::Request& request);

// True when the request carries a body (POST, PUT or PATCH with a non-empty
// body) whose media type is not one of `accepted` (lower case): the request
// is answered 415 and changes nothing. A body-less POST (Aether's start and
// stop) is never refused for its Content-Type.
bool unsupported_body(const http::Request& request, const std::vector<std::string>& accepted);

// The body as JSON; nullopt with *error set when it does not parse.
std::optional<nlohmann::json> parse_json(std::string_view body, std::string* error);

}  // namespace wsop::sim
