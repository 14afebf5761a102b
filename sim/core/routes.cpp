#include "sim/core/routes.h"

#include "sim/core/api.h"

namespace wsop::sim {

Routes::Routes(RouteChecks checks)
    : checks_(std::make_shared<const RouteChecks>(std::move(checks))) {}

void Routes::add(const Endpoint& endpoint, http::RouteHandler handler) {
  router_.add(endpoint.method, endpoint.path, endpoint.operation,
              [checks = checks_, endpoint, handler = std::move(handler)](
                  const http::Request& request, const http::PathParams& params) {
                Caller caller = identify(checks->auth, request);
                bool admitted =
                    caller == Caller::kAdmin || (caller == Caller::kUser && !checks->admin_only);
                if (!admitted) return checks->deny(caller);
                if (checks->permit) {
                  if (auto refused = checks->permit(endpoint, request, params)) return *refused;
                }
                if (unsupported_body(request, checks->media_types)) {
                  return checks->unsupported_media_type(request);
                }
                return handler(request, params);
              });
}

http::Response empty_response(int status) {
  http::Response response;
  response.status = status;
  return response;
}

}  // namespace wsop::sim
