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

http::Response json_response(int status, const nlohmann::ordered_json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump(2);
  return response;
}

// /api/v1/workspaces, /api/v1/namespaces/NS/workspaces[/NAME]: what
// `wsctl get -o json` prints (-A, -n NS, NS/NAME), from the same store, in
// the Kubernetes API's paths; a missing name is a 404 Status.
std::optional<http::Response> serve_status_api(const EndpointContext& context,
                                               std::string_view path) {
  constexpr std::string_view kAll = "/api/v1/workspaces", kNamespaces = "/api/v1/namespaces/";
  std::optional<std::string> ns, name;
  if (path != kAll) {
    if (path.substr(0, kNamespaces.size()) != kNamespaces) return std::nullopt;
    std::string_view rest = path.substr(kNamespaces.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    ns = std::string(rest.substr(0, slash));
    rest = rest.substr(slash);
    if (rest.substr(0, 11) != "/workspaces") return std::nullopt;
    rest = rest.substr(11);
    if (rest.size() > 1 && rest[0] == '/' && rest.find('/', 1) == std::string_view::npos) {
      name = std::string(rest.substr(1));
    } else if (!rest.empty()) {
      return std::nullopt;
    }
  }
  if (name) {
    auto record = context.store->get({*ns, *name});
    if (!record) return text(500, record.status().message() + "\n");
    if (!*record) {
      return json_response(404, {{"apiVersion", "v1"},
                                 {"kind", "Status"},
                                 {"status", "Failure"},
                                 {"message", "workspace \"" + *ns + "/" + *name + "\" not found"},
                                 {"reason", "NotFound"},
                                 {"code", 404}});
    }
    return json_response(200, reconcile::workspace_status_json(**record));
  }
  auto records = context.store->list({});
  if (!records) return text(500, records.status().message() + "\n");
  if (ns) std::erase_if(*records, [&](const auto& r) { return r.key.ns != *ns; });
  return json_response(200, reconcile::workspace_status_list(*records));
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
    if (context.ready && context.ready->load()) {
      return text(200, context.ready_detail ? "ok: " + context.ready_detail() + "\n" : "ok\n");
    }
    std::string reason = context.not_ready_reason ? context.not_ready_reason() : "";
    if (reason.empty()) reason = "waiting for the first valid source revision";
    return text(503, reason + "\n");
  }
  if (path == "/metrics") {
    http::Response response = text(200, context.metrics->scrape(context.store, context.queue));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }
  if (auto answer = serve_status_api(context, path)) return std::move(*answer);
  return text(404, "not found\n");
}

}  // namespace wsop::observability
