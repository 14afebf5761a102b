#include "controller/observability/endpoints.h"

#include "controller/reconcile/status_json.h"

namespace wsop::observability {
namespace {

http::Response text(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

}  // namespace

http::Response serve(const EndpointContext& context, const http::Request& request) {
  std::string_view path = request.path();
  if (request.method != "GET" && request.method != "HEAD") return text(405, "method not allowed\n");
  if (path == "/healthz") {
    auto stalled = context.stalled ? context.stalled() : std::nullopt;
    return stalled ? text(503, "stalled: " + *stalled + "\n") : text(200, "ok\n");
  }
  if (path == "/readyz") {
    if (context.ready && context.ready->load()) return text(200, "ok\n");
    std::string reason = context.not_ready_reason ? context.not_ready_reason() : "";
    if (reason.empty()) reason = "waiting for the first valid source revision";
    return text(503, reason + "\n");
  }
  if (path == "/metrics") {
    http::Response response = text(200, context.metrics->scrape(context.store, context.queue));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }
  if (path == "/api/v1/workspaces") {
    auto records = context.store->list({});
    if (!records) return text(500, records.status().message() + "\n");
    http::Response response;
    response.body = reconcile::workspace_status_list(*records).dump(2);
    return response;
  }
  return text(404, "not found\n");
}

}  // namespace wsop::observability
