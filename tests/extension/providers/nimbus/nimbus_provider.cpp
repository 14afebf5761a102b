#include "tests/extension/providers/nimbus/nimbus_provider.h"

#include "common/digest.h"
#include "providers/support/diff.h"
#include "providers/support/http_status.h"
#include "providers/support/json_fields.h"
#include "providers/support/pagination.h"
#include "providers/support/time.h"
#include "tests/extension/providers/nimbus/nimbus_descriptor.h"

namespace wsop::providers::nimbus {
namespace {

// Every path of the API in one place (tests/extension/sim/nimbus/nimbus_sim.h).
struct Paths {
  static constexpr const char* kCollection = "/v2/workspaces";
  static std::string one(const std::string& id) {
    return std::string(kCollection) + "/" + http::url_encode(id);
  }
  static std::string page(const std::string& token) {
    return token.empty() ? kCollection : std::string(kCollection) + "?page=" + token;
  }
};

// {"error": {"message": "..."}}: the message, or "".
std::string nimbus_message(const std::string& body) {
  Json json = Json::parse(body, nullptr, false);
  const Json* error = json.is_discarded() ? nullptr : get_object(json, "error");
  return error ? get_string(*error, "message").value_or("") : "";
}

RemoteWorkspace nimbus_workspace(const Json& json) {
  RemoteWorkspace ws;
  ws.id = get_id(json, "id").value_or("");
  ws.name = get_string(json, "name");
  ws.external_id = get_string(json, "externalId");
  if (auto created = get_string(json, "createdAt")) ws.created_at = parse_timestamp(*created);
  ws.status = "active";
  ws.vendor_fields = Json::object();
  set_or_erase(ws.vendor_fields, "region", get_string(json, "region"));
  set_or_erase(ws.vendor_fields, "tier", get_string(json, "tier"));
  ws.at_provider = {{"state", ws.status}};
  return ws;
}

// A workspace answer without an id is unusable, not an empty workspace.
Outcome<RemoteWorkspace> usable_nimbus(const Json& json, const std::string& what) {
  RemoteWorkspace ws = nimbus_workspace(json);
  if (ws.id.empty()) return Status::error(Code::kTransient, what + " has no workspace id");
  return ws;
}

// The page token after `page`: "" after the last; an unusable one fails
// the list (a list cut short may hide a workspace, which would be created
// again).
Outcome<std::string> next_page(const Json& page) {
  if (!page.contains("nextPage") || page.at("nextPage").is_null()) return std::string();
  if (!page.at("nextPage").is_number_unsigned()) {
    return Status::error(Code::kTransient, "Nimbus list answer has a nextPage of another type");
  }
  return std::to_string(page.at("nextPage").get<uint64_t>());
}

class NimbusProvider : public Provider {
 public:
  NimbusProvider(std::unique_ptr<http::Client> client, const PaginationLimits& pagination)
      : client_(std::move(client)), pagination_(pagination) {}

  const Capabilities& capabilities() const override { return type_capabilities(); }
  model::ProviderType type() const override { return model::ProviderType(kTypeName); }
  void stop() override { client_->stop(); }

  Outcome<RemoteWorkspace> get(const std::string& id) override {
    auto response = client_->send({"get", "GET", Paths::one(id), ""});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "get workspace " + id);
    auto json = parse_body(response->body, "Nimbus workspace");
    if (!json) return json.status();
    return usable_nimbus(*json, "Nimbus workspace " + id);
  }

  Outcome<std::vector<RemoteWorkspace>> list(const std::vector<const model::Workspace*>&) override {
    std::vector<RemoteWorkspace> out;
    PageGuard guard("Nimbus", pagination_);
    std::string token;
    do {
      if (Status s = guard.before_page(token); !s.is_ok()) return s;
      auto response = client_->send({"list", "GET", Paths::page(token), ""});
      if (!response) return response.status();
      if (!response->ok()) return fail(*response, "list workspaces");
      if (Status s = guard.on_body(response->body.size()); !s.is_ok()) return s;
      auto json = parse_body(response->body, "Nimbus list");
      if (!json) return json.status();
      const Json* items = get_array(*json, "workspaces");
      if (!items) return Status::error(Code::kTransient, "Nimbus list answer has no workspaces");
      if (Status s = guard.on_items(items->size()); !s.is_ok()) return s;
      for (const Json& item : *items) {
        auto ws = usable_nimbus(item, "Nimbus list item");
        if (!ws) return ws.status();
        out.push_back(std::move(*ws));
      }
      auto next = next_page(*json);
      if (!next) return next.status();
      token = *next;
    } while (!token.empty());
    return out;
  }

  // Sent once (send_once): a create whose answer is lost is kAmbiguous, for
  // the reconciler's create journal, never sent again here.
  Outcome<RemoteWorkspace> create(const model::Workspace& desired) override {
    auto response =
        client_->send_once({"create", "POST", Paths::kCollection, create_body(desired).dump()});
    if (!response) return response.status();
    if (!response->ok()) {
      return create_status_from_response(*response, nimbus_message(response->body));
    }
    auto json = parse_body(response->body, "Nimbus create answer");
    if (!json || nimbus_workspace(*json).id.empty()) {
      return Status::error(Code::kAmbiguous, "Nimbus accepted the create but its answer has no id");
    }
    return nimbus_workspace(*json);
  }

  Outcome<RemoteWorkspace> update(const RemoteWorkspace& current, const model::Workspace& desired,
                                  const std::vector<FieldChange>& changes) override {
    Json body = Json::object();
    if (has_change(changes, "spec.displayName")) body["name"] = desired.display_name;
    if (has_change(changes, "spec.externalId")) body["externalId"] = desired.external_id;
    const WorkspaceSpec* spec = spec_of(desired);
    if (has_change(changes, "spec.nimbus.tier") && spec && spec->tier) body["tier"] = *spec->tier;
    if (body.empty()) return current;
    auto response = client_->send({"update", "PATCH", Paths::one(current.id), body.dump()});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "update workspace " + current.id);
    auto json = parse_body(response->body, "Nimbus update answer");
    if (!json) return json.status();
    return usable_nimbus(*json, "Nimbus update answer");
  }

  Status remove(const std::string& id) override {
    auto response = client_->send({"delete", "DELETE", Paths::one(id), ""});
    if (!response) return response.status();
    if (response->ok() || response->status == 404) return Status::ok();
    return fail(*response, "delete workspace " + id);
  }

  std::vector<FieldChange> diff(const model::Workspace& desired,
                                const RemoteWorkspace& observed) const override {
    std::vector<FieldChange> out;
    auto text = [](const std::string& s) { return "\"" + s + "\""; };
    compare(out, "spec.displayName", observed.name, desired.display_name, text);
    compare(out, "spec.externalId", observed.external_id, desired.external_id, text);
    if (const WorkspaceSpec* spec = spec_of(desired)) {
      compare(out, "spec.nimbus.region", vendor_text(observed, "region"), spec->region, text,
              /*requires_replacement=*/true);
      if (spec->tier)
        compare(out, "spec.nimbus.tier", vendor_text(observed, "tier"), *spec->tier, text);
    }
    return out;
  }

  Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                             const CreateAttempt& attempt) override {
    auto all = list({&desired});
    if (!all) return all.status();
    LostCreateLookup lookup;
    // A create the server commits after our deadline shows up later: until
    // then an empty list proves nothing (providers/provider.h, CreateAttempt).
    lookup.conclusive = !attempt.may_still_commit(std::chrono::system_clock::now());
    lookup.method = "externalId \"" + desired.external_id + "\"";
    for (auto& ws : *all) {
      if (ws.external_id == desired.external_id) lookup.candidates.push_back(std::move(ws));
    }
    return lookup;
  }

  std::string create_digest(const model::Workspace& desired) const override {
    return sha256_hex(create_body(desired).dump());
  }

 private:
  static std::optional<std::string> vendor_text(const RemoteWorkspace& ws, const char* key) {
    return ws.vendor_fields.is_object() ? get_string(ws.vendor_fields, key) : std::nullopt;
  }

  static Json create_body(const model::Workspace& desired) {
    Json body = {{"name", desired.display_name}, {"externalId", desired.external_id}};
    if (const WorkspaceSpec* spec = spec_of(desired)) {
      body["region"] = spec->region;
      if (spec->tier) body["tier"] = *spec->tier;
    }
    return body;
  }

  Status fail(const http::ClientResponse& response, const std::string& action) const {
    return status_from_response(response, nimbus_message(response.body), "Nimbus " + action);
  }

  std::unique_ptr<http::Client> client_;
  PaginationLimits pagination_;
};

}  // namespace

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig&,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context) {
  return std::unique_ptr<Provider>(
      std::make_unique<NimbusProvider>(std::move(client), context.pagination));
}

}  // namespace wsop::providers::nimbus
