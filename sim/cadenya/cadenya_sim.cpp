#include "sim/cadenya/cadenya_sim.h"

#include <chrono>
#include <map>
#include <mutex>
#include <random>

#include "sim/cadenya/cadenya_request.h"
#include "sim/core/ids.h"
#include "sim/core/routes.h"

namespace wsop::sim::cadenya {
namespace {

using internal::Error;
using internal::Fields;
using internal::Labels;
using nlohmann::json;

// Every endpoint in one table, so a correction is one line.
using sim::Endpoint;
constexpr Endpoint kCreate{"POST", "/v1/account/workspaces", "create"};
constexpr Endpoint kGet{"GET", "/v1/account/workspaces/{workspaceId}", "get"};
constexpr Endpoint kUpdate{"PATCH", "/v1/account/workspaces/{workspaceId}", "update"};
constexpr Endpoint kDelete{"DELETE", "/v1/account/workspaces/{workspaceId}", "delete"};
constexpr Endpoint kList{"GET", "/v1/account/workspaces", "list"};

// gRPC codes (google.rpc.Code) the contract names.
enum GrpcCode {
  kInvalidArgument = 3,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

constexpr const char* kCursorPrefix = "c1.";

int grpc_code_for(int http_status) {
  switch (http_status) {
    case 400: return kInvalidArgument;
    case 401: return kUnauthenticated;
    case 403: return kPermissionDenied;
    case 404: return kNotFound;
    case 405: return kUnimplemented;
    case 409: return kAlreadyExists;
    case 415: return kInvalidArgument;
    case 429: return kResourceExhausted;
    case 502:
    case 503: return kUnavailable;
    default: return kInternal;
  }
}

// google.rpc.Status as grpc-gateway writes it.
http::Response status(int http_status, int code, std::string_view message) {
  return sim::json_response(http_status,
                            {{"code", code}, {"message", message}, {"details", json::array()}});
}

http::Response invalid(const std::string& message) {
  return status(400, kInvalidArgument, message);
}

// Workspace administration is admin-only (contract): 401 without a valid
// token, 403 for a valid non-admin one.
http::Response deny(sim::Caller caller) {
  switch (caller) {
    case sim::Caller::kUser:
      return status(403, kPermissionDenied,
                    "permission denied: workspace administration is admin-only");
    case sim::Caller::kAnonymous: return status(401, kUnauthenticated, "missing bearer token");
    case sim::Caller::kAdmin:
    case sim::Caller::kRejected: break;
  }
  return status(401, kUnauthenticated, "invalid API key");
}

// The vendor's example sends Content-Type: application/json (seed 002); the
// sim refuses a body of another media type.
http::Response unsupported_media_type(const http::Request& request) {
  return status(
      415, kInvalidArgument,
      "invalid Content-Type \"" + sim::media_type(request) + "\": expected application/json");
}

struct Workspace {
  std::string id;
  Fields fields;  // name always set
  std::string status = "STATUS_ENABLED";
  std::string created_at;
};

class CadenyaSim : public sim::Api {
 public:
  CadenyaSim(sim::AuthConfig auth, SimOptions options);

  std::string_view provider() const override { return "cadenya"; }
  const http::Router& router() const override { return routes_.router(); }
  http::Response error(int http_status, std::string_view message) const override {
    return status(http_status, grpc_code_for(http_status), message);
  }
  json state() const override;
  void reset() override;

 private:
  json render(const Workspace& w) const;

  http::Response create(const http::Request& request, const http::PathParams& params);
  http::Response get(const http::Request& request, const http::PathParams& params);
  http::Response update(const http::Request& request, const http::PathParams& params);
  http::Response archive(const http::Request& request, const http::PathParams& params);
  http::Response list(const http::Request& request, const http::PathParams& params);

  const SimOptions options_;
  std::string account_id_;
  std::string profile_id_;
  sim::Routes routes_;
  mutable std::mutex mu_;
  std::map<std::string, Workspace> workspaces_;  // guarded by mu_; ids sort by creation
  sim::UlidGenerator ulids_;                     // guarded by mu_
  std::mt19937_64 rng_{std::random_device{}()};  // guarded by mu_
};

CadenyaSim::CadenyaSim(sim::AuthConfig auth, SimOptions options)
    : options_(std::move(options)),
      routes_({std::move(auth),
               /*admin_only=*/true,
               deny,
               {},
               {"application/json"},
               unsupported_media_type}) {
  auto now = std::chrono::system_clock::now();
  account_id_ = "acct_" + ulids_.next(now, rng_);
  profile_id_ = "prof_" + ulids_.next(now, rng_);
  routes_.add(kCreate, this, &CadenyaSim::create);
  routes_.add(kGet, this, &CadenyaSim::get);
  routes_.add(kUpdate, this, &CadenyaSim::update);
  routes_.add(kDelete, this, &CadenyaSim::archive);
  routes_.add(kList, this, &CadenyaSim::list);
}

json CadenyaSim::render(const Workspace& w) const {
  json metadata = {{"id", w.id},
                   {"accountId", account_id_},
                   {"name", *w.fields.name},
                   {"profileId", profile_id_},
                   {"createdAt", w.created_at}};
  if (w.fields.external_id) metadata["externalId"] = *w.fields.external_id;
  if (w.fields.labels && !w.fields.labels->empty()) metadata["labels"] = *w.fields.labels;
  json spec = json::object();
  if (w.fields.description) spec["description"] = *w.fields.description;
  return {{"metadata", metadata}, {"spec", spec}, {"status", w.status}};
}

http::Response CadenyaSim::create(const http::Request& request, const http::PathParams&) {
  std::optional<json> body = sim::parse_json(request.body, nullptr);
  if (!body) return invalid("the request body is not valid JSON");
  Workspace w;
  if (Error e = internal::read_fields(*body, &w.fields)) return invalid(*e);
  std::lock_guard lock(mu_);
  auto now = std::chrono::system_clock::now();
  w.id = "ws_" + ulids_.next(now, rng_);
  w.created_at = sim::format_time(now, 3);
  const Workspace& stored = workspaces_.emplace(w.id, std::move(w)).first->second;
  return sim::json_response(200, render(stored));
}

http::Response CadenyaSim::get(const http::Request&, const http::PathParams& params) {
  const std::string& id = params.get("workspaceId");
  std::lock_guard lock(mu_);
  auto it = workspaces_.find(id);
  if (it == workspaces_.end()) return status(404, kNotFound, "workspace \"" + id + "\" not found");
  return sim::json_response(200, render(it->second));
}

http::Response CadenyaSim::update(const http::Request& request, const http::PathParams& params) {
  std::optional<json> body = sim::parse_json(request.body, nullptr);
  if (!body) return invalid("the request body is not valid JSON");
  Fields fields;
  if (Error e = internal::read_fields(*body, &fields)) return invalid(*e);
  // updateMask in the body (a string) or, as grpc-gateway also allows, the query.
  std::optional<std::string> mask_text = request.query_param("updateMask");
  if (body->contains("updateMask") && !(*body)["updateMask"].is_null()) {
    if (!(*body)["updateMask"].is_string()) return invalid("updateMask: expected a string");
    mask_text = (*body)["updateMask"].get<std::string>();
  }
  std::set<std::string> mask;
  if (mask_text) {
    if (Error e = internal::read_update_mask(*mask_text, &mask)) return invalid(*e);
  }
  const std::string& id = params.get("workspaceId");
  std::lock_guard lock(mu_);
  auto it = workspaces_.find(id);
  if (it == workspaces_.end()) return status(404, kNotFound, "workspace \"" + id + "\" not found");
  Workspace& w = it->second;
  if (w.status == "STATUS_ARCHIVED") {
    return status(400, kFailedPrecondition, "workspace \"" + id + "\" is archived");
  }
  // Without a mask every field present in the body is written; with one,
  // exactly the masked fields, an absent value clearing the field.
  auto wanted = [&](const char* path, bool present) {
    return mask.empty() ? present : mask.count(path) > 0;
  };
  if (wanted("metadata.name", true)) w.fields.name = fields.name;
  if (wanted("metadata.externalId", fields.external_id.has_value())) {
    w.fields.external_id = fields.external_id;
  }
  if (wanted("metadata.labels", fields.labels.has_value())) w.fields.labels = fields.labels;
  if (wanted("spec.description", fields.description.has_value())) {
    w.fields.description = fields.description;
  }
  return sim::json_response(200, render(w));
}

// DELETE archives: the workspace stays, hidden from lists unless
// includeArchived=true. Archiving again is a no-op.
http::Response CadenyaSim::archive(const http::Request&, const http::PathParams& params) {
  const std::string& id = params.get("workspaceId");
  std::lock_guard lock(mu_);
  auto it = workspaces_.find(id);
  if (it == workspaces_.end()) return status(404, kNotFound, "workspace \"" + id + "\" not found");
  it->second.status = "STATUS_ARCHIVED";
  return sim::empty_response(200);
}

http::Response CadenyaSim::list(const http::Request& request, const http::PathParams&) {
  std::optional<std::string> archived = request.query_param("includeArchived");
  if (archived && *archived != "true" && *archived != "false" && *archived != "1" &&
      *archived != "0" && !archived->empty()) {
    return invalid("includeArchived: expected true or false");
  }
  bool include_archived = archived == "true" || archived == "1";
  std::vector<std::pair<std::string, std::string>> filter;
  if (Error e = internal::read_label_filter(request.query_param("labels").value_or(""), &filter)) {
    return invalid(*e);
  }
  long limit = options_.default_page_size;
  if (std::optional<std::string> text = request.query_param("limit"); text && !text->empty()) {
    char* end = nullptr;
    limit = std::strtol(text->c_str(), &end, 10);
    if (*end != '\0' || limit < 0) return invalid("limit: expected a non-negative integer");
    if (limit == 0) limit = options_.default_page_size;
    limit = std::min<long>(limit, options_.max_page_size);
  }
  std::string after = request.query_param("cursor").value_or("");
  if (!after.empty()) {
    if (after.rfind(kCursorPrefix, 0) != 0) return invalid("cursor: not a cursor this API issued");
    after = after.substr(std::string_view(kCursorPrefix).size());
  }
  auto matches = [&](const Workspace& w) {
    if (w.status == "STATUS_ARCHIVED" && !include_archived) return false;
    for (const auto& [key, value] : filter) {
      if (!w.fields.labels) return false;
      auto it = w.fields.labels->find(key);
      if (it == w.fields.labels->end() || it->second != value) return false;
    }
    return true;
  };
  std::lock_guard lock(mu_);
  json items = json::array();
  long total = 0;
  std::string last;
  bool more = false;
  for (const auto& [id, w] : workspaces_) {
    if (!matches(w)) continue;
    ++total;
    if (!after.empty() && id <= after) continue;
    if (static_cast<long>(items.size()) < limit) {
      items.push_back(render(w));
      last = id;
    } else {
      more = true;
    }
  }
  json pagination = {{"nextCursor", more ? kCursorPrefix + last : ""}, {"total", total}};
  return sim::json_response(200, {{"items", items}, {"pagination", pagination}});
}

json CadenyaSim::state() const {
  std::lock_guard lock(mu_);
  json items = json::array();
  for (const auto& [id, w] : workspaces_) {
    json j = render(w);
    j["deleted"] = w.status == "STATUS_ARCHIVED";
    items.push_back(std::move(j));
  }
  return {{"workspaces", std::move(items)}};
}

void CadenyaSim::reset() {
  std::lock_guard lock(mu_);
  workspaces_.clear();
}

}  // namespace

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options) {
  return std::make_unique<CadenyaSim>(std::move(auth), std::move(options));
}

}  // namespace wsop::sim::cadenya
