#include "providers/paradigm/paradigm_provider.h"

#include <mutex>
#include <set>

#include "common/digest.h"
#include "common/text.h"
#include "providers/paradigm/paradigm_mapping.h"
#include "providers/paradigm/paradigm_observation.h"
#include "providers/paradigm/paradigm_spec.h"
#include "providers/support/diff.h"
#include "providers/support/http_status.h"
#include "providers/support/pagination.h"

namespace wsop::providers::paradigm {
namespace {

// A workspace answer names its workspace: anything without an id (null,
// [], {}, an id of another type) is unusable, not an empty workspace.
Outcome<RemoteWorkspace> usable(const Json& json, const std::string& what) {
  if (!get_id(json, "id")) {
    return Status::error(Code::kTransient, what + " has no workspace id");
  }
  return from_json(json);
}

// How long a create refused with 403 is answered locally: rights are
// granted by people, so an hour of local answers spares the server one
// refused POST per workspace and reconcile (no retry storm) and still
// notices a grant without a restart.
constexpr std::chrono::minutes kForbiddenMemory{60};

class ParadigmProvider : public Provider {
 public:
  ParadigmProvider(const model::ProviderConfig& config, std::unique_ptr<http::Client> client,
                   const PaginationLimits& pagination)
      : client_(std::move(client)),
        config_name_(config.name),
        list_company_(config_spec_of(config).company_id),
        allow_duplicate_names_(config_spec_of(config).allow_duplicate_names),
        pagination_(pagination) {}

  const Capabilities& capabilities() const override { return type_capabilities(); }
  model::ProviderType type() const override { return model::ProviderType(kTypeName); }
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
      if (const WorkspaceSpec* spec = spec_of(*ws)) companies.insert(spec->company_id);
    }
    // Not company_list(): an item's company stays what the server said, so
    // a guess never reaches the state store, where it would later "prove"
    // the workspace's absence.
    auto all = list_pages(Paths::list(""));
    if (!all) return all;
    std::vector<RemoteWorkspace> out;
    out.reserve(all->size());
    for (auto& ws : *all) {
      auto company = company_of(ws);
      if (!company || companies.empty() || companies.count(*company)) {
        out.push_back(std::move(ws));
      }
    }
    return out;
  }

  Outcome<RemoteWorkspace> create(const model::Workspace& desired) override {
    if (auto refused = remembered_refusal()) return *refused;
    auto response =
        client_->send_once({"create", "POST", Paths::kCreate, create_body(desired).dump()});
    if (!response) return response.status();
    if (response->status == 403) return refuse_creates(vendor_message(response->body));
    if (!response->ok()) {
      return create_status_from_response(*response, vendor_message(response->body));
    }
    auto json = parse_body(response->body, "Paradigm create answer");
    if (!json || !get_id(*json, "id")) {
      return Status::error(Code::kAmbiguous,
                           "Paradigm accepted the create but its answer has no id");
    }
    RemoteWorkspace ws = from_json(*json);
    if (!company_of(ws) && spec_of(desired)) set_company(ws, spec_of(desired)->company_id);
    return ws;
  }

  Outcome<RemoteWorkspace> update(const RemoteWorkspace& current, const model::Workspace& desired,
                                  const std::vector<FieldChange>& changes) override {
    Json body = Json::object();
    if (has_change(changes, "spec.displayName")) body["name"] = sent_name(desired);
    if (has_change(changes, "spec.description")) body["description"] = sent_description(desired);
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
    keep_unreported_fields(current, updated);
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
    // Trimmed on both sides: the server stores them trimmed (DRF), and a
    // value that differs only in surrounding whitespace is no change.
    auto trimmed = [](const std::optional<std::string>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return std::string(trim_whitespace(*v));
    };
    compare(out, "spec.displayName", trimmed(observed.name), sent_name(desired), text);
    if (desired.description) {
      compare(out, "spec.description", trimmed(observed.description), sent_description(desired),
              text);
    }
    if (const WorkspaceSpec* spec = spec_of(desired)) {
      auto number = [](int64_t n) { return std::to_string(n); };
      if (auto company = company_of(observed)) {
        compare(out, "spec.paradigm.companyId", company, spec->company_id, number,
                /*requires_replacement=*/true);
      }
      // Unset in the manifest: late-initialised from the remote, never a
      // replacement; only a value the user wrote can differ.
      auto method = upload_method_of(observed);
      if (method && spec->document_upload_method) {
        compare(out, "spec.paradigm.documentUploadMethod", method,
                std::string(to_string(*spec->document_upload_method)), text, true);
      }
    }
    return out;
  }

  Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                             const CreateAttempt& attempt) override;

  Outcome<RemoteWorkspace> get_to_adopt(const std::string& id,
                                        const model::Workspace& desired) override;

  bool list_proves_absence(const RemoteWorkspace& last) const override {
    return covers(company_of(last));
  }

  void keep_unreported(const RemoteWorkspace& last, RemoteWorkspace& fresh) const override {
    keep_unreported_fields(last, fresh);
  }

  std::optional<ExistingIdentity> existing_identity(const model::Workspace& desired) const override;

  std::string create_digest(const model::Workspace& desired) const override {
    return sha256_hex(create_body(desired).dump());
  }

 private:
  // True when the company list shows every workspace of `company`: only
  // the token's own company, declared in the ProviderConfig (paradigm.md:
  // the list is company-scoped, the create is not).
  bool covers(std::optional<int64_t> company) const {
    return company && list_company_ && *company == *list_company_;
  }

  std::string coverage_note(int64_t company) const {
    if (!list_company_) {
      return "ProviderConfig \"" + config_name_ +
             "\" does not declare its token's company (spec.paradigm.companyId), so the company "
             "list proves nothing about company " +
             std::to_string(company);
    }
    return "the company list of ProviderConfig \"" + config_name_ + "\" covers company " +
           std::to_string(*list_company_) + ", not company " + std::to_string(company);
  }

  // The company list (filtered by name when one is given), each item in
  // the declared company: the list covers that company only. An item naming
  // another company means the declaration is wrong, and the list proves
  // nothing, so that fails the call.
  Outcome<std::vector<RemoteWorkspace>> company_list(const std::string& name) {
    auto found = list_pages(Paths::list(name));
    if (!found) return found;
    for (auto& ws : *found) {
      auto company = company_of(ws);
      if (company && company != list_company_) {
        return Status::error(Code::kConflict, "the company list of ProviderConfig \"" +
                                                  config_name_ + "\" shows company " +
                                                  std::to_string(*company) +
                                                  ", not the declared spec.paradigm.companyId " +
                                                  std::to_string(list_company_.value_or(0)));
      }
      set_company(ws, list_company_);
    }
    return found;
  }

  std::optional<Status> remembered_refusal() const {
    std::lock_guard lock(mutex_);
    if (!refusal_ || std::chrono::steady_clock::now() > refusal_->until) return std::nullopt;
    return forbidden(refusal_->vendor_message);
  }

  Status refuse_creates(const std::string& vendor) {
    std::lock_guard lock(mutex_);
    refusal_ = Refusal{std::chrono::steady_clock::now() + kForbiddenMemory, vendor};
    return forbidden(vendor);
  }

  Status forbidden(const std::string& vendor) const {
    return Status::error(Code::kForbidden,
                         "ProviderConfig \"" + config_name_ +
                             "\": its token may not create Paradigm workspaces (HTTP 403" +
                             (vendor.empty() ? "" : ": " + printable_excerpt(vendor)) +
                             "); grant it the right or use another token");
  }

  Status fail(const http::ClientResponse& response, const std::string& action) const {
    return status_from_response(response, vendor_message(response.body), "Paradigm " + action);
  }

  // Follows "next" (an absolute URL) until it is null. A page that is not
  // usable (an item without an id, a next link that is not a URL) fails the
  // list, and so does one past the bounds of support/pagination.h (a next
  // link back to a page already read or to another origin, too many pages
  // or items): skipping it could hide a workspace, and a missing workspace
  // may be created again.
  Outcome<std::vector<RemoteWorkspace>> list_pages(std::string path) {
    std::vector<RemoteWorkspace> out;
    PageGuard guard("Paradigm", pagination_);
    while (!path.empty()) {
      if (Status s = guard.before_page(path); !s.is_ok()) return s;
      auto response = client_->send({"list", "GET", path, ""});
      if (!response) return response.status();
      if (!response->ok()) return fail(*response, "list workspaces");
      if (Status s = guard.on_body(response->body.size()); !s.is_ok()) return s;
      auto json = parse_body(response->body, "Paradigm list");
      if (!json) return json.status();
      const Json* results = get_array(*json, "results");
      if (!results) return Status::error(Code::kTransient, "Paradigm list answer has no results");
      if (Status s = guard.on_items(results->size()); !s.is_ok()) return s;
      for (const Json& item : *results) {
        auto ws = usable(item, "Paradigm list item");
        if (!ws) return ws.status();
        out.push_back(std::move(*ws));
      }
      if (json->contains("next") && !json->at("next").is_null() && !json->at("next").is_string()) {
        return Status::error(Code::kTransient,
                             "Paradigm list answer has a next link of another type");
      }
      const std::string link = get_string(*json, "next").value_or("");
      if (link.empty()) break;
      auto next = next_link_path(link, client_->options().url, "Paradigm");
      if (!next) return next.status();
      path = *next;
    }
    return out;
  }

  std::unique_ptr<http::Client> client_;
  std::string config_name_;
  std::optional<int64_t> list_company_;
  bool allow_duplicate_names_ = false;
  PaginationLimits pagination_;
  // The last 403 on create, answered locally until `until`.
  struct Refusal {
    std::chrono::steady_clock::time_point until;
    std::string vendor_message;
  };
  mutable std::mutex mutex_;
  std::optional<Refusal> refusal_;
};

// Exact name (as the server trimmed it) within the company, through the
// company list, which proves anything only for the company it covers.
// The company list shows every workspace of the token's company, so a name
// taken there is seen before the create; for another company nothing can
// be seen, and the create goes ahead as Paradigm itself would accept it.
std::optional<ExistingIdentity> ParadigmProvider::existing_identity(
    const model::Workspace& desired) const {
  int64_t company = spec_of(desired) ? spec_of(desired)->company_id : 0;
  if (allow_duplicate_names_ || !covers(company)) return std::nullopt;
  ExistingIdentity identity;
  identity.proof = ExistingIdentity::Proof::kSameName;
  std::string name = sent_name(desired);
  identity.method = "name \"" + name + "\" in company " + std::to_string(company);
  identity.allow_duplicates_hint = "set spec.paradigm.allowDuplicateNames: true";
  // The company list's items may leave out their company: they are in the
  // token's company, which covers() has just matched.
  identity.name = name;
  identity.matches = [name, company](const RemoteWorkspace& ws) {
    return ws.name == name && company_of(ws).value_or(company) == company &&
           ws.phase != Phase::kGone;
  };
  return identity;
}

Outcome<LostCreateLookup> ParadigmProvider::find_lost_create(const model::Workspace& desired,
                                                             const CreateAttempt& attempt) {
  int64_t company = spec_of(desired) ? spec_of(desired)->company_id : 0;
  std::string name = sent_name(desired);
  LostCreateLookup lookup;
  lookup.method = "exact name \"" + name + "\" in company " + std::to_string(company);
  if (!covers(company)) {
    // Neither a match nor its absence says anything: the list shows another
    // company's workspaces, maybe one of the same name.
    lookup.method += " (" + coverage_note(company) + ")";
    return lookup;
  }
  auto found = company_list(name);
  if (!found) return found.status();
  // A create the server commits after our deadline shows up later: until
  // then an empty list proves nothing, and creating again would duplicate.
  lookup.conclusive = !attempt.may_still_commit(std::chrono::system_clock::now());
  for (auto& ws : *found) {
    if (ws.name && trim_whitespace(*ws.name) == name && company_of(ws) == company) {
      lookup.candidates.push_back(std::move(ws));
    }
  }
  return lookup;
}

// GET shows no company, so the company list confirms it: a workspace of
// another company must not be managed under this manifest's companyId.
Outcome<RemoteWorkspace> ParadigmProvider::get_to_adopt(const std::string& id,
                                                        const model::Workspace& desired) {
  auto remote = get(id);
  if (!remote) return remote;
  int64_t company = spec_of(desired) ? spec_of(desired)->company_id : 0;
  if (auto reported = company_of(*remote)) {
    if (*reported == company) return remote;
  } else if (!covers(company)) {
    return Status::error(Code::kConflict, "cannot confirm that Paradigm workspace " + id +
                                              " belongs to company " + std::to_string(company) +
                                              ": " + coverage_note(company));
  } else {
    auto listed = company_list("");
    if (!listed) return listed.status();
    for (const auto& ws : *listed) {
      if (ws.id == id) {
        set_company(*remote, company);
        return remote;
      }
    }
  }
  return Status::error(Code::kConflict, "Paradigm workspace " + id + " is not in company " +
                                            std::to_string(company) + " (spec.paradigm.companyId)");
}

}  // namespace

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig& config,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context) {
  return std::unique_ptr<Provider>(
      std::make_unique<ParadigmProvider>(config, std::move(client), context.pagination));
}

}  // namespace wsop::providers::paradigm
