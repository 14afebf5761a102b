#include "providers/paradigm/paradigm_provider.h"

#include <cctype>
#include <set>

#include "common/digest.h"
#include "providers/support/diff.h"
#include "providers/support/http_status.h"
#include "providers/support/json_fields.h"
#include "providers/support/time.h"

namespace wsop::providers::paradigm {
namespace {

// Every vendor path in one place (paradigm.md, "Endpoints").
struct Paths {
  static constexpr const char* kCreate = "/api/v3/instance/workspaces";
  static std::string get(const std::string& id) {
    return "/api/v3/workspaces/" + http::url_encode(id);
  }
  static std::string update(const std::string& id) {
    return "/api/v3/instance/workspaces/" + http::url_encode(id);
  }
  static std::string remove(const std::string& id) { return get(id); }
  static std::string list(const std::string& name) {
    std::string path = "/api/v3/company/workspaces?page_size=100";
    if (!name.empty()) path += "&name=" + http::url_encode(name);
    return path;
  }
};

// True when value nests at most `levels` arrays or objects deep.
bool shallow(const Json& value, int levels) {
  if (!value.is_structured()) return true;
  if (levels == 0) return false;
  for (const Json& child : value) {
    if (!shallow(child, levels - 1)) return false;
  }
  return true;
}

// Paradigm errors: {"detail": "..."} or DRF field errors {"name": ["..."]}.
// Other values are dumped only when shallow: dump() recurses once per level,
// and a hostile body nested 100,000 levels deep would overflow the stack.
std::string vendor_message(const std::string& body) {
  Json json = Json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return "";
  if (auto detail = get_string(json, "detail")) return *detail;
  std::string out;
  for (const auto& [field, errors] : json.items()) {
    std::string text = errors.is_array() && !errors.empty() && errors[0].is_string()
                           ? errors[0].get<std::string>()
                       : shallow(errors, 16) ? errors.dump()
                                             : "(nested too deeply)";
    out += (out.empty() ? "" : "; ") + field + ": " + text;
  }
  return out;
}

RemoteWorkspace from_json(const Json& json) {
  RemoteWorkspace ws;
  ws.id = get_id(json, "id").value_or("");
  ws.name = get_string(json, "name");
  ws.description = get_string(json, "description").value_or("");
  ws.document_upload_method = get_string(json, "document_upload_method");
  if (const Json* company = get_object(json, "company")) ws.company_id = get_int(*company, "id");
  if (!ws.company_id) ws.company_id = get_int(json, "company_id");
  if (auto created = get_string(json, "created_at")) ws.created_at = parse_timestamp(*created);
  ws.status = "active";
  return ws;
}

// A workspace answer names its workspace: anything without an id (null,
// [], {}, an id of another type) is unusable, not an empty workspace.
Outcome<RemoteWorkspace> usable(const Json& json, const std::string& what) {
  if (!get_id(json, "id")) {
    return Status::error(Code::kTransient, what + " has no workspace id");
  }
  return from_json(json);
}

Json create_body(const model::Workspace& desired) {
  const model::ParadigmSpec spec = desired.paradigm.value_or(model::ParadigmSpec{});
  return {{"name", desired.display_name},
          {"company_id", spec.company_id},
          {"description", desired.description.value_or("")},
          {"workspace_type", "custom"},
          {"document_upload_method", model::to_string(spec.document_upload_method)}};
}

class ParadigmProvider : public Provider {
 public:
  ParadigmProvider(std::unique_ptr<http::Client> client) : client_(std::move(client)) {
    caps_.paginated_list = true;
    caps_.not_found_proves_absence = false;
    caps_.mutable_fields = {"spec.displayName", "spec.description"};
    caps_.immutable_fields = {"spec.paradigm.companyId", "spec.paradigm.documentUploadMethod"};
  }

  const Capabilities& capabilities() const override { return caps_; }
  model::ProviderType type() const override { return model::ProviderType::kParadigm; }
  void stop() override { client_->stop(); }

  Outcome<RemoteWorkspace> get(const std::string& id) override {
    auto response = client_->send({"get", "GET", Paths::get(id), ""});
    if (!response) return response.status();
    if (response->status == 403 || response->status == 404) {
      // Not visible: not proof of absence (paradigm.md, traps).
      return Status::error(Code::kNotFound, "Paradigm workspace " + id + " is not visible (HTTP " +
                                                std::to_string(response->status) + ")");
    }
    if (!response->ok()) return fail(*response, "get workspace " + id);
    auto json = parse_body(response->body, "Paradigm workspace");
    if (!json) return json.status();
    return usable(*json, "Paradigm workspace " + id);
  }

  Outcome<std::vector<RemoteWorkspace>> list(
      const std::vector<const model::Workspace*>& desired) override {
    std::set<int64_t> companies;
    for (const auto* ws : desired) {
      if (ws->paradigm) companies.insert(ws->paradigm->company_id);
    }
    auto all = list_pages(Paths::list(""));
    if (!all) return all;
    std::vector<RemoteWorkspace> out;
    for (auto& ws : *all) {
      if (!ws.company_id || companies.empty() || companies.count(*ws.company_id)) {
        out.push_back(std::move(ws));
      }
    }
    return out;
  }

  Outcome<RemoteWorkspace> create(const model::Workspace& desired) override {
    auto response =
        client_->send_once({"create", "POST", Paths::kCreate, create_body(desired).dump()});
    if (!response) return response.status();
    if (!response->ok()) {
      return create_status_from_response(*response, vendor_message(response->body));
    }
    auto json = parse_body(response->body, "Paradigm create answer");
    if (!json || !get_id(*json, "id")) {
      return Status::error(Code::kAmbiguous,
                           "Paradigm accepted the create but its answer has no id");
    }
    RemoteWorkspace ws = from_json(*json);
    if (!ws.company_id && desired.paradigm) ws.company_id = desired.paradigm->company_id;
    return ws;
  }

  Outcome<RemoteWorkspace> update(const RemoteWorkspace& current, const model::Workspace& desired,
                                  const std::vector<FieldChange>& changes) override {
    Json body = Json::object();
    if (has_change(changes, "spec.displayName")) body["name"] = desired.display_name;
    if (has_change(changes, "spec.description"))
      body["description"] = desired.description.value_or("");
    if (body.empty()) return current;
    auto response = client_->send({"update", "PATCH", Paths::update(current.id), body.dump()});
    if (!response) return response.status();
    if (response->status == 403 || response->status == 404) {
      // Not visible (deleted meanwhile, or never ours): as get says it.
      return Status::error(Code::kNotFound,
                           "Paradigm workspace " + current.id + " is not visible (HTTP " +
                               std::to_string(response->status) +
                               "): " + printable_excerpt(vendor_message(response->body)));
    }
    if (!response->ok()) return fail(*response, "update workspace " + current.id);
    auto json = parse_body(response->body, "Paradigm update answer");
    if (!json) return json.status();
    auto parsed = usable(*json, "Paradigm update answer");
    if (!parsed) return parsed;
    RemoteWorkspace updated = std::move(*parsed);
    if (!updated.company_id) updated.company_id = current.company_id;
    if (!updated.document_upload_method)
      updated.document_upload_method = current.document_upload_method;
    return updated;
  }

  Status remove(const std::string& id) override {
    auto response = client_->send({"delete", "DELETE", Paths::remove(id), ""});
    if (!response) return response.status();
    // Soft delete: a second delete sees 403/404, the workspace is gone.
    if (response->ok() || response->status == 403 || response->status == 404) return Status::ok();
    return fail(*response, "delete workspace " + id);
  }

  std::vector<FieldChange> diff(const model::Workspace& desired,
                                const RemoteWorkspace& observed) const override {
    std::vector<FieldChange> out;
    auto text = [](const std::string& s) { return "\"" + s + "\""; };
    compare(out, "spec.displayName", observed.name, desired.display_name, text);
    if (desired.description)
      compare(out, "spec.description", observed.description, *desired.description, text);
    if (desired.paradigm) {
      auto number = [](int64_t n) { return std::to_string(n); };
      if (observed.company_id) {
        compare(out, "spec.paradigm.companyId", observed.company_id, desired.paradigm->company_id,
                number, /*requires_replacement=*/true);
      }
      if (observed.document_upload_method) {
        compare(out, "spec.paradigm.documentUploadMethod", observed.document_upload_method,
                std::string(model::to_string(desired.paradigm->document_upload_method)), text,
                true);
      }
    }
    return out;
  }

  Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                             const CreateAttempt& attempt) override {
    auto found = list_pages(Paths::list(desired.display_name));
    if (!found) return found.status();
    LostCreateLookup lookup;
    // A create the server commits after our deadline shows up later: until
    // then an empty list proves nothing, and creating again would duplicate.
    lookup.conclusive = !attempt.may_still_commit(std::chrono::system_clock::now());
    lookup.method = "exact name \"" + desired.display_name + "\" in company " +
                    std::to_string(desired.paradigm ? desired.paradigm->company_id : 0);
    for (auto& ws : *found) {
      bool same_company =
          !ws.company_id || !desired.paradigm || *ws.company_id == desired.paradigm->company_id;
      if (ws.name == desired.display_name && same_company)
        lookup.candidates.push_back(std::move(ws));
    }
    return lookup;
  }

  std::string create_digest(const model::Workspace& desired) const override {
    return sha256_hex(create_body(desired).dump());
  }

 private:
  Status fail(const http::ClientResponse& response, const std::string& action) const {
    return status_from_response(response, vendor_message(response.body), "Paradigm " + action);
  }

  // Follows "next" (an absolute URL) until it is null. A page that is not
  // usable (an item without an id, a next link that is not a URL, a next
  // link back to a page already read) fails the list: skipping it could
  // hide a workspace, and a missing workspace may be created again.
  Outcome<std::vector<RemoteWorkspace>> list_pages(std::string path) {
    std::vector<RemoteWorkspace> out;
    std::set<std::string> seen;
    for (int page = 0; !path.empty(); ++page) {
      if (page > 100000) return Status::error(Code::kTransient, "Paradigm list does not end");
      if (!seen.insert(path).second) {
        return Status::error(Code::kTransient, "Paradigm list loops: a next link repeats a page");
      }
      auto response = client_->send({"list", "GET", path, ""});
      if (!response) return response.status();
      if (!response->ok()) return fail(*response, "list workspaces");
      auto json = parse_body(response->body, "Paradigm list");
      if (!json) return json.status();
      const Json* results = get_array(*json, "results");
      if (!results) return Status::error(Code::kTransient, "Paradigm list answer has no results");
      for (const Json& item : *results) {
        auto ws = usable(item, "Paradigm list item");
        if (!ws) return ws.status();
        out.push_back(std::move(*ws));
      }
      if (json->contains("next") && !json->at("next").is_null() && !json->at("next").is_string()) {
        return Status::error(Code::kTransient,
                             "Paradigm list answer has a next link of another type");
      }
      auto next = next_path(get_string(*json, "next").value_or(""));
      if (!next) return next.status();
      path = *next;
    }
    return out;
  }

  // The path and query of an absolute "next" URL, which must name our host.
  // Only its path and query are used: the request goes to our configured
  // origin, so a `next` whose scheme or port differs (Django behind a
  // TLS-terminating proxy writes "http://host/...") neither breaks the list
  // nor downgrades the connection.
  Outcome<std::string> next_path(const std::string& next) const {
    if (next.empty()) return std::string();
    auto url = http::parse_url(next);
    const http::Url& base = client_->options().url;
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    if (!url || lower(url->host) != lower(base.host)) {
      return Status::error(Code::kTransient, "Paradigm list points to another origin");
    }
    std::string path = url->base_path;
    const std::string& prefix = base.base_path;
    if (!prefix.empty() && path.rfind(prefix, 0) == 0 &&
        (path.size() == prefix.size() || path[prefix.size()] == '/' ||
         path[prefix.size()] == '?')) {
      path = path.substr(prefix.size());
    }
    if (path.empty() || path[0] != '/') path = "/" + path;
    return path;
  }

  std::unique_ptr<http::Client> client_;
  Capabilities caps_;
};

}  // namespace

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig&,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext&) {
  return std::unique_ptr<Provider>(std::make_unique<ParadigmProvider>(std::move(client)));
}

}  // namespace wsop::providers::paradigm
