#include "sim/core/service.h"

#include <string_view>

namespace wsop::sim {
namespace {

constexpr std::string_view kAdminPrefix = "/_sim/";

http::Response admin_error(int status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

}  // namespace

Service::Service(std::unique_ptr<Api> api, Faults initial_faults, std::uint64_t seed)
    : api_(std::move(api)), faults_(initial_faults, seed) {}

http::Response Service::handle(const http::Request& request) {
  if (request.path().substr(0, kAdminPrefix.size()) == kAdminPrefix) return admin(request);
  std::optional<http::Router::Match> match = api_->router().match(request);
  std::string operation = match ? match->name : "unknown";
  FaultPlan plan = faults_.plan(operation == "create");
  http::Response response;
  std::string outcome;
  if (plan.throttled) {
    response = api_->error(429, "rate limit exceeded");
    response.set_header("Retry-After", std::to_string(plan.throttled->count()));
  } else if (plan.reset) {
    response.disposition = http::Disposition::kReset;
    outcome = "reset";
  } else if (plan.hang) {
    response.disposition = http::Disposition::kHang;
    outcome = "hang";
  } else if (plan.error_status != 0) {
    response = api_->error(plan.error_status, "injected server error");
  } else {
    response = match ? match->handler(request, match->params) : unrouted(request);
    // The lost-response case: the create is committed, the client never
    // learns it (ARCHITECTURE.md section 4).
    if (plan.drop_if_created && response.status / 100 == 2) {
      response.disposition = http::Disposition::kClose;
      outcome = "dropped";
    }
  }
  if (outcome.empty()) outcome = std::to_string(response.status);
  stats_.record(operation, outcome);
  response.delay = plan.delay;
  return response;
}

// No route matched: 405 for a known path under another method, else 404.
http::Response Service::unrouted(const http::Request& request) const {
  if (api_->router().path_known(request.path())) {
    return api_->error(405, "Method \"" + request.method + "\" not allowed.");
  }
  return api_->error(404, "Not found.");
}

http::Response Service::admin(const http::Request& request) {
  std::string_view path = request.path().substr(kAdminPrefix.size());
  const std::string& method = request.method;
  if (path == "stats" && method == "GET") {
    nlohmann::json body = stats_.to_json();
    body["provider"] = api_->provider();
    return json_response(200, body);
  }
  if (path == "state" && method == "GET") {
    nlohmann::json body = api_->state();
    body["provider"] = api_->provider();
    return json_response(200, body);
  }
  if (path == "reset" && method == "POST") {
    api_->reset();
    stats_.clear();
    faults_.restore();
    return json_response(200, {{"reset", true}});
  }
  if (path == "faults" && method == "GET") return json_response(200, to_json(faults_.get()));
  if (path == "faults" && (method == "PUT" || method == "PATCH")) {
    std::string error;
    std::optional<nlohmann::json> body = parse_json(request.body, &error);
    if (!body) return admin_error(400, error);
    Outcome<Faults> faults = faults_from_json(*body, faults_.get());
    if (!faults) return admin_error(400, faults.status().message());
    faults_.set(*faults);
    return json_response(200, to_json(*faults));
  }
  if (path == "stats" || path == "state" || path == "reset" || path == "faults") {
    return admin_error(405, "method not allowed");
  }
  return admin_error(404, "unknown admin endpoint");
}

}  // namespace wsop::sim
