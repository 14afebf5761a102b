#include "providers/cadenya/cadenya_provider.h"

#include "common/digest.h"
#include "providers/cadenya/cadenya_descriptor.h"
#include "providers/support/diff.h"
#include "providers/support/http_status.h"
#include "providers/support/json_fields.h"
#include "providers/support/pagination.h"
#include "providers/support/time.h"

namespace wsop::providers::cadenya {
namespace {

// Every vendor path in one place (cadenya.md, "Endpoints").
struct Paths {
  static constexpr const char* kCreate = "/v1/account/workspaces";
  static std::string one(const std::string& id) {
    return "/v1/account/workspaces/" + http::url_encode(id);
  }
  static std::string list(const std::string& label_filter, const std::string& cursor) {
    std::string path = "/v1/account/workspaces?limit=100&labels=" + http::url_encode(label_filter);
    if (!cursor.empty()) path += "&cursor=" + http::url_encode(cursor);
    return path;
  }
};

// google.rpc.Status: {"code": <gRPC code>, "message": "..."}.
struct RpcError {
  int code = 0;
  std::string message;
};

RpcError rpc_error(const std::string& body) {
  Json json = Json::parse(body, nullptr, false);
  RpcError error;
  if (json.is_discarded()) return error;
  // gRPC codes are 0 to 16; anything else (4294967301 would wrap to 5,
  // NOT_FOUND) says nothing.
  auto code = get_int(json, "code");
  error.code = code && *code >= 0 && *code <= 16 ? static_cast<int>(*code) : 0;
  error.message = get_string(json, "message").value_or("");
  return error;
}

// The gRPC code decides where the HTTP status is vague.
Status refine(Status status, const RpcError& error) {
  Code code = status.code();
  switch (error.code) {
    case 3: code = Code::kInvalid; break;
    case 5: code = Code::kNotFound; break;
    case 6:   // ALREADY_EXISTS
    case 9:   // FAILED_PRECONDITION: the state disagrees (an archived workspace)
    case 10:  // ABORTED
      code = Code::kConflict;
      break;
    case 7:
    case 16: code = Code::kUnauthorized; break;
    case 8: code = Code::kRateLimited; break;
    default: break;
  }
  if (status.code() == Code::kAmbiguous) code = Code::kAmbiguous;
  return Status::error(code, status.message(), status.retry_after());
}

RemoteWorkspace from_json(const Json& json) {
  RemoteWorkspace ws;
  const Json empty = Json::object();
  const Json* metadata = get_object(json, "metadata");
  if (!metadata) metadata = &empty;
  const Json* spec = get_object(json, "spec");
  ws.id = get_id(*metadata, "id").value_or("");
  ws.name = get_string(*metadata, "name");
  ws.external_id = get_string(*metadata, "externalId");
  if (const Json* labels = get_object(*metadata, "labels")) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) ws.labels[key] = value.get<std::string>();
    }
  }
  if (auto created = get_string(*metadata, "createdAt")) ws.created_at = parse_timestamp(*created);
  ws.description = spec ? get_string(*spec, "description").value_or("") : "";
  ws.status = get_string(json, "status").value_or("STATUS_UNSPECIFIED");
  ws.phase = ws.status == "STATUS_ARCHIVED"   ? Phase::kGone
             : ws.status == "STATUS_DISABLED" ? Phase::kStopped
                                              : Phase::kReady;
  return ws;
}

// A workspace answer names its workspace: anything without an id (null,
// [], {}, metadata of another type) is unusable, not an empty workspace.
Outcome<RemoteWorkspace> usable(const Json& json, const std::string& what) {
  RemoteWorkspace ws = from_json(json);
  if (ws.id.empty()) return Status::error(Code::kTransient, what + " has no workspace id");
  return ws;
}

// The cursor of the next list page, empty after the last one. A pagination
// block or a cursor of another type may hide more pages: unusable, not the end.
Outcome<std::string> next_cursor(const Json& page) {
  if (!page.contains("pagination") || page.at("pagination").is_null()) return std::string();
  const Json& pagination = page.at("pagination");
  bool no_cursor = pagination.is_object() &&
                   (!pagination.contains("nextCursor") || pagination.at("nextCursor").is_null());
  if (no_cursor) return std::string();
  if (!pagination.is_object() || !pagination.at("nextCursor").is_string()) {
    return Status::error(Code::kTransient, "Cadenya list answer has pagination of another type");
  }
  return pagination.at("nextCursor").get<std::string>();
}

class CadenyaProvider : public Provider {
 public:
  CadenyaProvider(std::unique_ptr<http::Client> client, std::string instance_id,
                  const PaginationLimits& pagination)
      : client_(std::move(client)), instance_id_(std::move(instance_id)), pagination_(pagination) {}

  const Capabilities& capabilities() const override { return type_capabilities(); }
  model::ProviderType type() const override { return model::ProviderType(kTypeName); }
  void stop() override { client_->stop(); }

  Outcome<RemoteWorkspace> get(const std::string& id) override {
    auto response = client_->send({"get", "GET", Paths::one(id), ""});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "get workspace " + id);
    auto json = parse_body(response->body, "Cadenya workspace");
    if (!json) return json.status();
    return usable(*json, "Cadenya workspace " + id);
  }

  Outcome<std::vector<RemoteWorkspace>> list(const std::vector<const model::Workspace*>&) override {
    return list_owned();
  }

  Outcome<RemoteWorkspace> create(const model::Workspace& desired) override {
    auto response =
        client_->send_once({"create", "POST", Paths::kCreate, create_body(desired).dump()});
    if (!response) return response.status();
    if (!response->ok()) {
      return refine(create_status_from_response(*response, rpc_error(response->body).message),
                    rpc_error(response->body));
    }
    auto json = parse_body(response->body, "Cadenya create answer");
    if (!json || from_json(*json).id.empty()) {
      return Status::error(Code::kAmbiguous,
                           "Cadenya accepted the create but its answer has no id");
    }
    return from_json(*json);
  }

  Outcome<RemoteWorkspace> update(const RemoteWorkspace& current, const model::Workspace& desired,
                                  const std::vector<FieldChange>& changes) override {
    std::vector<std::string> mask;
    if (has_change(changes, "spec.displayName")) mask.push_back("metadata.name");
    if (has_change(changes, "spec.externalId")) mask.push_back("metadata.externalId");
    if (has_change(changes, "metadata.labels")) mask.push_back("metadata.labels");
    if (has_change(changes, "spec.description")) mask.push_back("spec.description");
    if (mask.empty()) return current;
    std::string joined;
    for (const auto& m : mask) joined += (joined.empty() ? "" : ",") + m;
    // metadata.name is required on PATCH even when it does not change.
    Json body = {{"metadata",
                  {{"name", desired.display_name},
                   {"externalId", desired.external_id},
                   {"labels", labels_for(desired)}}},
                 {"spec", {{"description", desired.description.value_or("")}}},
                 {"updateMask", joined}};
    auto response = client_->send({"update", "PATCH", Paths::one(current.id), body.dump()});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "update workspace " + current.id);
    auto json = parse_body(response->body, "Cadenya update answer");
    if (!json) return json.status();
    return usable(*json, "Cadenya update answer");
  }

  Status remove(const std::string& id) override {
    auto response = client_->send({"delete", "DELETE", Paths::one(id), ""});
    if (!response) return response.status();
    if (response->ok() || response->status == 404) return Status::ok();
    return fail(*response, "archive workspace " + id);
  }

  std::vector<FieldChange> diff(const model::Workspace& desired,
                                const RemoteWorkspace& observed) const override {
    std::vector<FieldChange> out;
    auto text = [](const std::string& s) { return "\"" + s + "\""; };
    compare(out, "spec.displayName", observed.name, desired.display_name, text);
    compare(out, "spec.externalId", observed.external_id, desired.external_id, text);
    if (desired.description) {
      compare(out, "spec.description", observed.description, *desired.description, text);
    }
    auto wanted = labels_for(desired);
    if (observed.labels != wanted) {
      out.push_back({"metadata.labels", render(observed.labels), render(wanted), false});
    }
    return out;
  }

  Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                             const CreateAttempt& attempt) override {
    auto owned = list_owned();
    if (!owned) return owned.status();
    LostCreateLookup lookup;
    // A create the server commits after our deadline shows up later: until
    // then an empty list proves nothing, and creating again would duplicate.
    lookup.conclusive = !attempt.may_still_commit(std::chrono::system_clock::now());
    lookup.method = std::string("label ") + kOwnerLabel + "=" + instance_id_ +
                    " and externalId \"" + desired.external_id + "\"";
    for (auto& ws : *owned) {
      if (ws.external_id == desired.external_id && ws.phase != Phase::kGone) {
        lookup.candidates.push_back(std::move(ws));
      }
    }
    return lookup;
  }

  std::optional<ExistingIdentity> existing_identity(
      const model::Workspace& desired) const override {
    ExistingIdentity identity;
    identity.proof = ExistingIdentity::Proof::kOwned;
    identity.method = std::string("label ") + kOwnerLabel + "=" + instance_id_ +
                      " and externalId \"" + desired.external_id + "\"";
    identity.external_id = desired.external_id;
    identity.matches = [owner = instance_id_,
                        external_id = desired.external_id](const RemoteWorkspace& ws) {
      auto label = ws.labels.find(kOwnerLabel);
      return ws.external_id == external_id && ws.phase != Phase::kGone &&
             label != ws.labels.end() && label->second == owner;
    };
    return identity;
  }

  std::string create_digest(const model::Workspace& desired) const override {
    return sha256_hex(create_body(desired).dump());
  }

 private:
  std::map<std::string, std::string> labels_for(const model::Workspace& desired) const {
    auto labels = desired.labels;
    labels[kOwnerLabel] = instance_id_;
    return labels;
  }

  static std::string render(const std::map<std::string, std::string>& labels) {
    std::string out;
    for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
    return "{" + out + "}";
  }

  Json create_body(const model::Workspace& desired) const {
    Json spec = Json::object();
    if (desired.description) spec["description"] = *desired.description;
    return {{"metadata",
             {{"name", desired.display_name},
              {"externalId", desired.external_id},
              {"labels", labels_for(desired)}}},
            {"spec", spec}};
  }

  // The gRPC code refines a refusal (4xx) only: a 5xx stays a server
  // failure whatever its body claims (a 503 saying NOT_FOUND proves nothing).
  Status fail(const http::ClientResponse& response, const std::string& action) const {
    RpcError error = rpc_error(response.body);
    Status status = status_from_response(response, error.message, "Cadenya " + action);
    bool refusal = response.status >= 400 && response.status < 500;
    return refusal ? refine(status, error) : status;
  }

  // Every non-archived workspace carrying our ownership label. A page that
  // is not usable (an item without an id, a cursor of another type) fails
  // the list, and so does one past the bounds of support/pagination.h (a
  // cursor already followed, too many pages or items): skipping it could
  // hide a workspace, and a missing workspace may be created again.
  Outcome<std::vector<RemoteWorkspace>> list_owned() {
    std::vector<RemoteWorkspace> out;
    PageGuard guard("Cadenya", pagination_);
    std::string filter = std::string(kOwnerLabel) + "=" + instance_id_;
    std::string cursor;
    do {
      if (Status s = guard.before_page(cursor); !s.is_ok()) return s;
      auto response = client_->send({"list", "GET", Paths::list(filter, cursor), ""});
      if (!response) return response.status();
      if (!response->ok()) return fail(*response, "list workspaces");
      if (Status s = guard.on_body(response->body.size()); !s.is_ok()) return s;
      auto json = parse_body(response->body, "Cadenya list");
      if (!json) return json.status();
      const Json* items = get_array(*json, "items");
      if (!items) return Status::error(Code::kTransient, "Cadenya list answer has no items");
      if (Status s = guard.on_items(items->size()); !s.is_ok()) return s;
      for (const Json& item : *items) {
        auto ws = usable(item, "Cadenya list item");
        if (!ws) return ws.status();
        out.push_back(std::move(*ws));
      }
      auto next = next_cursor(*json);
      if (!next) return next.status();
      cursor = *next;
    } while (!cursor.empty());
    return out;
  }

  std::unique_ptr<http::Client> client_;
  std::string instance_id_;
  PaginationLimits pagination_;
};

}  // namespace

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig&,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context) {
  return std::unique_ptr<Provider>(std::make_unique<CadenyaProvider>(
      std::move(client), context.instance_id, context.pagination));
}

}  // namespace wsop::providers::cadenya
