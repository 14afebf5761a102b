#include "sim/paradigm/paradigm_sim.h"

#include <chrono>
#include <map>
#include <mutex>

#include "sim/core/form.h"
#include "sim/core/ids.h"
#include "sim/core/routes.h"
#include "sim/paradigm/paradigm_page.h"
#include "sim/paradigm/paradigm_validate.h"

namespace wsop::sim::paradigm {
namespace {

using internal::CreateFields;
using internal::UpdateFields;
using nlohmann::json;

// Every endpoint in one table, so a correction is one line (contract).
using sim::Endpoint;
constexpr Endpoint kCreate{"POST", "/api/v3/instance/workspaces", "create"};
constexpr Endpoint kGet{"GET", "/api/v3/workspaces/{id}", "get"};
constexpr Endpoint kUpdate{"PATCH", "/api/v3/instance/workspaces/{id}", "update"};
constexpr Endpoint kDelete{"DELETE", "/api/v3/workspaces/{id}", "delete"};
constexpr Endpoint kList{"GET", "/api/v3/company/workspaces", "list"};

// DRF's PermissionDenied text, which the contract gives for 403s
// (paradigm.md, "Simulator behaviour"); seed 000 lines 58-59 list the 403 of
// create without a body.
const char* kForbidden = "You do not have permission to perform this action.";
// The company of a token that token_companies does not name.
constexpr std::int64_t kDefaultCompany = 1;

struct Workspace {
  std::int64_t id = 0;
  CreateFields fields;
  std::string created_at;
  std::string updated_at;
  bool deleted = false;
  std::string deleted_at;
};

http::Response detail(int status, std::string_view message) {
  return sim::json_response(status, {{"detail", message}});
}

std::string now_text() {
  return sim::format_time(std::chrono::system_clock::now(), 6);
}

// DRF's TokenAuthentication answers 401 with a WWW-Authenticate challenge.
http::Response deny(sim::Caller caller) {
  http::Response r = detail(401, caller == sim::Caller::kAnonymous
                                     ? "Authentication credentials were not provided."
                                     : "Invalid token.");
  r.set_header("WWW-Authenticate", "Bearer");
  return r;
}

// DRF answers a media type the parsers do not read 415, with the
// Content-Type as sent.
http::Response unsupported_media_type(const http::Request& request) {
  std::string sent = request.header("content-type").value_or("");
  return detail(415, "Unsupported media type \"" + sent + "\" in request.");
}

// The tokens of the token options are accepted too (paradigm_sim.h).
sim::AuthConfig accepted_tokens(sim::AuthConfig auth, const SimOptions& options) {
  if (!auth.tokens.empty()) {
    for (const auto& [token, company] : options.token_companies) auth.tokens.insert(token);
    auth.tokens.insert(options.readonly_tokens.begin(), options.readonly_tokens.end());
  }
  return auth;
}

// The body as DRF's parsers read it; an empty body is empty data (DRF), so
// the serializer reports the missing fields.
std::optional<json> read_body(const http::Request& request, http::Response* failure) {
  if (request.body.empty()) return json::object();
  std::string type = sim::media_type(request), error;
  if (type == "application/x-www-form-urlencoded") return sim::parse_urlencoded(request.body);
  if (type == "multipart/form-data") {
    std::optional<std::string> boundary =
        sim::header_param(request.header("content-type").value_or(""), "boundary");
    std::optional<json> fields = sim::parse_multipart(request.body, boundary.value_or(""), &error);
    if (!fields) *failure = detail(400, "Multipart form parse error - " + error);
    return fields;
  }
  std::optional<json> body = sim::parse_json(request.body, &error);
  if (!body) *failure = detail(400, "JSON parse error - " + error);
  return body;
}

class ParadigmSim : public sim::Api {
 public:
  ParadigmSim(sim::AuthConfig auth, SimOptions options);

  std::string_view provider() const override { return "paradigm"; }
  const http::Router& router() const override { return routes_.router(); }
  http::Response error(int status, std::string_view message) const override {
    return detail(status, message);
  }
  json state() const override;
  void reset() override;

 private:
  std::optional<http::Response> permit(const Endpoint& endpoint, const http::Request& request,
                                       const http::PathParams& params) const;
  bool readonly(const http::Request& request) const;
  std::int64_t company_of(const http::Request& request) const;
  bool company_exists(std::int64_t id) const { return companies_.count(id) > 0; }
  // The workspace an {id} names, if visible; requires mu_.
  Workspace* find(const http::PathParams& params, bool include_deleted);
  json render(const Workspace& w, bool with_company) const;

  http::Response create(const http::Request& request, const http::PathParams& params);
  http::Response get(const http::Request& request, const http::PathParams& params);
  http::Response update(const http::Request& request, const http::PathParams& params);
  http::Response remove(const http::Request& request, const http::PathParams& params);
  http::Response list(const http::Request& request, const http::PathParams& params);

  const SimOptions options_;
  std::map<std::int64_t, std::string> companies_;
  sim::Routes routes_;
  mutable std::mutex mu_;
  std::map<std::int64_t, Workspace> workspaces_;  // guarded by mu_
  std::int64_t next_id_ = 1;                      // guarded by mu_
};

// DRF's order: authentication, then permissions, then (when the view reads
// the body) the parser, so a read-only token's create is a 403 whatever its
// body. The create page lists three request media types (seed 000 lines
// 35-45).
ParadigmSim::ParadigmSim(sim::AuthConfig auth, SimOptions options)
    : options_(std::move(options)),
      routes_({accepted_tokens(std::move(auth), options_),
               /*admin_only=*/false,
               deny,
               [this](const Endpoint& endpoint, const http::Request& request,
                      const http::PathParams& params) { return permit(endpoint, request, params); },
               {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"},
               unsupported_media_type}) {
  for (const SimCompany& c : options_.companies) companies_[c.id] = c.name;
  routes_.add(kCreate, this, &ParadigmSim::create);
  routes_.add(kGet, this, &ParadigmSim::get);
  routes_.add(kUpdate, this, &ParadigmSim::update);
  routes_.add(kDelete, this, &ParadigmSim::remove);
  routes_.add(kList, this, &ParadigmSim::list);
}

std::optional<http::Response> ParadigmSim::permit(const Endpoint& endpoint,
                                                  const http::Request& request,
                                                  const http::PathParams& params) const {
  // Django's <int:id> route does not match other ids at all.
  const std::string& id = params.get("id");
  if (!id.empty() && !internal::parse_integer(id)) return detail(404, "Not found.");
  const bool creates = std::string_view(endpoint.operation) == kCreate.operation;
  if (creates && readonly(request)) return detail(403, kForbidden);
  return std::nullopt;
}

bool ParadigmSim::readonly(const http::Request& request) const {
  std::optional<std::string> token = sim::bearer_token(request);
  return token && options_.readonly_tokens.count(*token) > 0;
}

std::int64_t ParadigmSim::company_of(const http::Request& request) const {
  std::optional<std::string> token = sim::bearer_token(request);
  auto it = token ? options_.token_companies.find(*token) : options_.token_companies.end();
  return it == options_.token_companies.end() ? kDefaultCompany : it->second;
}

Workspace* ParadigmSim::find(const http::PathParams& params, bool include_deleted) {
  std::optional<std::int64_t> id = internal::parse_integer(params.get("id"));
  if (!id) return nullptr;
  auto it = workspaces_.find(*id);
  if (it == workspaces_.end() || (it->second.deleted && !include_deleted)) return nullptr;
  return &it->second;
}

json ParadigmSim::render(const Workspace& w, bool with_company) const {
  json j = {{"id", w.id},
            {"name", w.fields.name},
            {"workspace_type", w.fields.workspace_type},
            {"document_upload_method", w.fields.document_upload_method},
            {"description", w.fields.description},
            {"created_at", w.created_at},
            {"updated_at", w.updated_at},
            {"user_role", "admin"},
            {"used_storage", 0.0},
            {"files_count", 0}};
  if (with_company) {
    auto company = companies_.find(w.fields.company_id);
    j["company"] = {{"id", w.fields.company_id},
                    {"name", company == companies_.end() ? "" : company->second}};
  } else {
    j["summaries"] = json::array();
  }
  // Only visible with ?include_deleted=true; not part of the vendor's schema.
  if (w.deleted) {
    j["is_deleted"] = true;
    j["deleted_at"] = w.deleted_at;
  }
  return j;
}

http::Response ParadigmSim::create(const http::Request& request, const http::PathParams&) {
  http::Response failure;
  std::optional<json> body = read_body(request, &failure);
  if (!body) return failure;
  CreateFields fields;
  json errors = internal::validate_create(
      *body, [this](std::int64_t id) { return company_exists(id); }, &fields);
  if (!errors.empty()) return sim::json_response(400, errors);
  std::lock_guard lock(mu_);
  Workspace w{next_id_++, std::move(fields), now_text(), "", false, ""};
  w.updated_at = w.created_at;
  const Workspace& stored = workspaces_.emplace(w.id, std::move(w)).first->second;
  return sim::json_response(201, render(stored, /*with_company=*/true));
}

http::Response ParadigmSim::get(const http::Request& request, const http::PathParams& params) {
  bool include_deleted = request.query_param("include_deleted") == "true";
  std::lock_guard lock(mu_);
  Workspace* w = find(params, include_deleted);
  if (!w) return detail(403, kForbidden);
  return sim::json_response(200, render(*w, /*with_company=*/false));
}

// No seed covers the PATCH's media types (inferred): the sim reads the
// create's three (seed 000 lines 35-45), as DRF applies one parser set to an
// API unless a view overrides it.
http::Response ParadigmSim::update(const http::Request& request, const http::PathParams& params) {
  http::Response failure;
  std::optional<json> body = read_body(request, &failure);
  if (!body) return failure;
  std::lock_guard lock(mu_);
  Workspace* w = find(params, /*include_deleted=*/false);
  if (!w) return detail(403, kForbidden);
  UpdateFields fields;
  json errors = internal::validate_update(*body, &fields);
  if (!errors.empty()) return sim::json_response(400, errors);
  // Every other field (company_id, workspace_type, ...) is ignored, as a DRF
  // serializer ignores fields it does not declare.
  if (fields.name) w->fields.name = *fields.name;
  if (fields.description) w->fields.description = *fields.description;
  w->updated_at = now_text();
  return sim::json_response(200, render(*w, /*with_company=*/true));
}

http::Response ParadigmSim::remove(const http::Request&, const http::PathParams& params) {
  std::lock_guard lock(mu_);
  Workspace* w = find(params, /*include_deleted=*/false);
  if (!w) return detail(403, kForbidden);
  w->deleted = true;
  w->deleted_at = now_text();
  return sim::empty_response(204);
}

// Company-scoped (paradigm.md, "Traps"): only the workspaces of the token's
// company, as the retrieve serializer renders them, without `company` (seed
// 001 line 120: the serializer "for company workspace creation and
// retrieval").
http::Response ParadigmSim::list(const http::Request& request, const http::PathParams&) {
  const std::int64_t company = company_of(request);
  std::optional<std::string> name = request.query_param("name");
  bool include_deleted = request.query_param("include_deleted") == "true";
  long size = internal::page_size(request, options_.default_page_size, options_.max_page_size);
  std::optional<long> page = internal::page_number(request);
  if (!page) return detail(404, "Invalid page.");
  std::lock_guard lock(mu_);
  std::vector<const Workspace*> matches;
  for (const auto& [id, w] : workspaces_) {
    if (w.deleted && !include_deleted) continue;
    if (w.fields.company_id != company) continue;
    if (name && !name->empty() && w.fields.name != *name) continue;
    matches.push_back(&w);
  }
  long count = static_cast<long>(matches.size());
  long pages = std::max(1L, (count + size - 1) / size);
  if (*page > pages) return detail(404, "Invalid page.");
  json results = json::array();
  for (long i = (*page - 1) * size; i < std::min(count, *page * size); ++i) {
    results.push_back(render(*matches[i], /*with_company=*/false));
  }
  json next = *page < pages ? json(internal::page_url(request, *page + 1)) : json(nullptr);
  json previous = *page > 1 ? json(internal::page_url(request, *page - 1)) : json(nullptr);
  return sim::json_response(
      200, {{"count", count}, {"next", next}, {"previous", previous}, {"results", results}});
}

json ParadigmSim::state() const {
  std::lock_guard lock(mu_);
  json items = json::array();
  for (const auto& [id, w] : workspaces_) {
    json j = render(w, /*with_company=*/true);
    j["deleted"] = w.deleted;
    items.push_back(std::move(j));
  }
  return {{"workspaces", std::move(items)}, {"next_id", next_id_}};
}

void ParadigmSim::reset() {
  std::lock_guard lock(mu_);
  workspaces_.clear();
  next_id_ = 1;
}

}  // namespace

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options) {
  return std::make_unique<ParadigmSim>(std::move(auth), std::move(options));
}

}  // namespace wsop::sim::paradigm
