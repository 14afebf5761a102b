#include "common/http/router.h"

namespace wsop::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

const std::string& PathParams::get(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return kEmpty;
}

void Router::add(std::string method, std::string_view pattern, std::string name,
                 RouteHandler handler) {
  Route route{std::move(method), {}, std::move(name), std::move(handler)};
  for (std::string_view s : split_path(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

bool Router::match_path(const Route& route, std::string_view path, PathParams* params) {
  std::vector<std::string_view> parts = split_path(path);
  if (parts.size() != route.segments.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (is_param(seg)) {
      if (params) params->add(seg.substr(1, seg.size() - 2), url_decode(parts[i], false));
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

std::optional<Router::Match> Router::match(const Request& request) const {
  for (const Route& route : routes_) {
    if (route.method != request.method) continue;
    PathParams params;
    if (match_path(route, request.path(), &params)) {
      return Match{route.name, route.handler, std::move(params)};
    }
  }
  return std::nullopt;
}

bool Router::path_known(std::string_view path) const {
  for (const Route& route : routes_) {
    if (match_path(route, path, nullptr)) return true;
  }
  return false;
}

}  // namespace wsop::http
