#include "sim/aether/aether_sim.h"

#include <map>
#include <mutex>
#include <random>
#include <set>

#include "sim/aether/aether_workspace.h"
#include "sim/core/ids.h"
#include "sim/core/routes.h"

namespace wsop::sim::aether {
namespace {

using internal::Clock;
using internal::Workspace;
using nlohmann::json;

// Every endpoint in one table: most paths are inferred (contract), so a
// correction must be one line.
using sim::Endpoint;
constexpr Endpoint kCreate{"POST", "/projects/{projectId}/workspaces", "create"};
constexpr Endpoint kGet{"GET", "/workspaces/{id}", "get"};
constexpr Endpoint kList{"GET", "/workspaces", "list"};
constexpr Endpoint kUpdate{"PATCH", "/workspaces/{id}", "update"};
constexpr Endpoint kDelete{"DELETE", "/workspaces/{id}", "delete"};
constexpr Endpoint kStart{"POST", "/workspaces/{id}/start", "start"};
constexpr Endpoint kStop{"POST", "/workspaces/{id}/stop", "stop"};

http::Response failure(int status, std::string_view message) {
  return sim::json_response(status, {{"error", message}});
}

http::Response deny(sim::Caller caller) {
  return failure(401, caller == sim::Caller::kAnonymous ? "missing bearer token" : "invalid token");
}

// A JSON API: a body of another media type changes nothing.
http::Response unsupported_media_type(const http::Request& request) {
  return failure(415, "unsupported Content-Type \"" + sim::media_type(request) +
                          "\": expected application/json");
}

// keep_active is a boolean (seed 003 line 49); null or any other type is a
// 400, not a silent "false".
std::optional<std::string> read_keep_active(const json& body, bool* out) {
  if (!body.contains("keep_active")) return std::nullopt;
  if (!body["keep_active"].is_boolean()) return "keep_active must be a boolean";
  *out = body["keep_active"].get<bool>();
  return std::nullopt;
}

class AetherSim : public sim::Api {
 public:
  AetherSim(sim::AuthConfig auth, SimOptions options);

  std::string_view provider() const override { return "aether"; }
  const http::Router& router() const override { return routes_.router(); }
  http::Response error(int status, std::string_view message) const override {
    return failure(status, message);
  }
  json state() const override;
  void reset() override;

 private:
  // The live workspace an {id} names, advanced to now; requires mu_.
  Workspace* find(const http::PathParams& params, Clock::time_point now);

  http::Response create(const http::Request& request, const http::PathParams& params);
  http::Response get(const http::Request& request, const http::PathParams& params);
  http::Response list(const http::Request& request, const http::PathParams& params);
  http::Response update(const http::Request& request, const http::PathParams& params);
  http::Response remove(const http::Request& request, const http::PathParams& params);
  http::Response start(const http::Request& request, const http::PathParams& params);
  http::Response stop(const http::Request& request, const http::PathParams& params);
  http::Response power(const http::PathParams& params, const char* from, const char* to);

  const SimOptions options_;
  const std::set<std::string> projects_;
  sim::Routes routes_;
  mutable std::mutex mu_;
  // mutable: reading a workspace advances its lifecycle.
  mutable std::map<std::string, Workspace> workspaces_;  // guarded by mu_
  mutable std::uint64_t machines_ = 0;                   // guarded by mu_
  std::mt19937_64 rng_{std::random_device{}()};          // guarded by mu_
};

AetherSim::AetherSim(sim::AuthConfig auth, SimOptions options)
    : options_(std::move(options)),
      projects_(options_.projects.begin(), options_.projects.end()),
      routes_({std::move(auth),
               /*admin_only=*/false,
               deny,
               {},
               {"application/json"},
               unsupported_media_type}) {
  routes_.add(kCreate, this, &AetherSim::create);
  routes_.add(kGet, this, &AetherSim::get);
  routes_.add(kList, this, &AetherSim::list);
  routes_.add(kUpdate, this, &AetherSim::update);
  routes_.add(kDelete, this, &AetherSim::remove);
  routes_.add(kStart, this, &AetherSim::start);
  routes_.add(kStop, this, &AetherSim::stop);
}

Workspace* AetherSim::find(const http::PathParams& params, Clock::time_point now) {
  auto it = workspaces_.find(params.get("id"));
  if (it == workspaces_.end() || it->second.deleted) return nullptr;
  internal::advance(it->second, options_, now, machines_);
  return &it->second;
}

http::Response AetherSim::create(const http::Request& request, const http::PathParams& params) {
  const std::string& project = params.get("projectId");
  if (!projects_.count(project)) return failure(404, "project not found");
  json body = json::object();
  if (!request.body.empty()) {
    std::optional<json> parsed = sim::parse_json(request.body, nullptr);
    if (!parsed || !parsed->is_object()) return failure(400, "the body must be a JSON object");
    body = std::move(*parsed);
  }
  // Every field is optional; an omitted `hardware`, or an omitted field of
  // it, takes the account's default (seed 003 line 24).
  Workspace w;
  w.hardware = options_.default_hardware;
  if (body.contains("hardware")) {
    if (auto e = internal::read_hardware(body["hardware"], &w.hardware)) {
      return failure(400, "invalid hardware configuration: " + *e);
    }
  }
  if (auto e = read_keep_active(body, &w.keep_active)) return failure(400, *e);
  std::lock_guard lock(mu_);
  w.id = sim::make_uuid_v4(rng_);
  w.project_id = project;
  w.preview_token =
      "ptk_" + sim::make_uuid_v4(rng_).substr(0, 8) + sim::make_uuid_v4(rng_).substr(24);
  w.fails = options_.error_rate > 0 &&
            std::uniform_real_distribution<double>(0, 1)(rng_) < options_.error_rate;
  w.since = w.created = w.updated = Clock::now();
  const Workspace& stored = workspaces_.emplace(w.id, std::move(w)).first->second;
  return sim::json_response(201, internal::to_json(stored));
}

http::Response AetherSim::get(const http::Request&, const http::PathParams& params) {
  std::lock_guard lock(mu_);
  Workspace* w = find(params, Clock::now());
  if (!w) return failure(404, "workspace not found");
  return sim::json_response(200, internal::to_json(*w));
}

http::Response AetherSim::list(const http::Request&, const http::PathParams&) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  json items = json::array();
  for (auto& [id, w] : workspaces_) {
    if (w.deleted) continue;
    internal::advance(w, options_, now, machines_);
    items.push_back(internal::to_json(w));
  }
  return sim::json_response(200, {{"workspaces", std::move(items)}});
}

// Flat body; hardware changes apply to the record at once (the real service
// may need a restart to apply them to the machine).
http::Response AetherSim::update(const http::Request& request, const http::PathParams& params) {
  std::optional<json> body = sim::parse_json(request.body, nullptr);
  if (!body || !body->is_object()) return failure(400, "the body must be a JSON object");
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  Workspace* w = find(params, now);
  if (!w) return failure(404, "workspace not found");
  internal::Hardware hardware = w->hardware;
  if (auto e = internal::read_hardware(*body, &hardware)) {
    return failure(400, "invalid hardware configuration: " + *e);
  }
  bool keep_active = w->keep_active;
  if (auto e = read_keep_active(*body, &keep_active)) return failure(400, *e);
  w->hardware = hardware;
  w->keep_active = keep_active;
  w->updated = now;
  if (w->status == "running") w->since = now;  // activity restarts the idle clock
  return sim::json_response(200, internal::to_json(*w));
}

http::Response AetherSim::remove(const http::Request&, const http::PathParams& params) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  Workspace* w = find(params, now);
  if (!w) return failure(404, "workspace not found");
  w->deleted = true;
  w->updated = now;
  return sim::empty_response(204);
}

http::Response AetherSim::start(const http::Request&, const http::PathParams& params) {
  return power(params, "stopped", "starting");
}

http::Response AetherSim::stop(const http::Request&, const http::PathParams& params) {
  return power(params, "running", "stopping");
}

http::Response AetherSim::power(const http::PathParams& params, const char* from, const char* to) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  Workspace* w = find(params, now);
  if (!w) return failure(404, "workspace not found");
  if (w->status != from) {
    return failure(400, std::string("workspace is ") + w->status + ", not " + from);
  }
  w->status = to;
  w->since = w->updated = now;
  return sim::json_response(200, {{"status", to}});
}

json AetherSim::state() const {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  json items = json::array();
  for (auto& [id, w] : workspaces_) {
    if (!w.deleted) internal::advance(w, options_, now, machines_);
    json j = internal::to_json(w);
    j["deleted"] = w.deleted;
    items.push_back(std::move(j));
  }
  return {{"workspaces", std::move(items)}, {"projects", options_.projects}};
}

void AetherSim::reset() {
  std::lock_guard lock(mu_);
  workspaces_.clear();
  machines_ = 0;
}

}  // namespace

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options) {
  return std::make_unique<AetherSim>(std::move(auth), std::move(options));
}

}  // namespace wsop::sim::aether
