// Maps (method, path pattern) to a named handler. Patterns are literal
// segments and "{param}" segments ("/v1/workspaces/{id}/start"); a param
// matches one non-empty segment. The route name doubles as the operation name
// for metrics and simulator statistics.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http/message.h"

namespace wsop::http {

class PathParams {
 public:
  void add(std::string name, std::string value) {
    values_.emplace_back(std::move(name), std::move(value));
  }
  // The decoded value of a "{name}" segment; empty when the pattern has none.
  const std::string& get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using RouteHandler = std::function<Response(const Request&, const PathParams&)>;

class Router {
 public:
  struct Match {
    const std::string& name;
    const RouteHandler& handler;
    PathParams params;
  };

  void add(std::string method, std::string_view pattern, std::string name, RouteHandler handler);

  // The first route whose method and pattern match; nullopt when none does.
  std::optional<Match> match(const Request& request) const;
  // True when some route's pattern matches the path under another method
  // (the caller answers 405 rather than 404).
  bool path_known(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" marks a parameter
    std::string name;
    RouteHandler handler;
  };
  static bool match_path(const Route& route, std::string_view path, PathParams* params);

  std::vector<Route> routes_;
};

}  // namespace wsop::http
