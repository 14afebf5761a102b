// An in-memory Provider for reconciler tests: records every call and can
// lose a create's answer after committing it, or refuse it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "providers/provider.h"
#include "providers/support/diff.h"
#include "tests/common/fake_clock.h"

namespace wsop::testing {

class FakeProvider : public providers::Provider {
 public:
  enum class CreateFault {
    kNone,
    kLoseAnswerAfterCommit,
    kLoseAnswerBeforeCommit,
    kRefuse,
  };

  FakeProvider() = default;

  const providers::Capabilities& capabilities() const override { return caps_; }
  model::ProviderType type() const override { return model::ProviderType("cadenya"); }
  void stop() override {}

  Outcome<providers::RemoteWorkspace> get(const std::string& id) override {
    std::lock_guard lock(mu_);
    ++gets;
    auto it = remote.find(id);
    if (it == remote.end()) return Status::error(Code::kNotFound, "no " + id);
    return it->second;
  }

  Outcome<std::vector<providers::RemoteWorkspace>> list(
      const std::vector<const model::Workspace*>&) override {
    if (list_delay.count() > 0) {
      if (clock) {
        clock->advance(list_delay);
      } else {
        std::this_thread::sleep_for(list_delay);
      }
    }
    if (on_list) on_list();
    std::lock_guard lock(mu_);
    ++lists;
    if (fail_lists > 0) {
      --fail_lists;
      return Status::error(Code::kTransient, "HTTP 503");
    }
    std::vector<providers::RemoteWorkspace> out;
    for (const auto& [id, ws] : remote) out.push_back(ws);
    return out;
  }

  Outcome<providers::RemoteWorkspace> create(const model::Workspace& desired) override {
    std::lock_guard lock(mu_);
    ++creates;
    if (on_create) on_create();
    if (throttled_creates > 0) {
      --throttled_creates;  // refused before processing: nothing made
      return Status::error(Code::kRateLimited, "HTTP 429", std::chrono::milliseconds(2000));
    }
    CreateFault fault = next_create_fault;
    next_create_fault = CreateFault::kNone;
    if (fault == CreateFault::kRefuse) return Status::error(Code::kInvalid, "refused");
    if (fault == CreateFault::kLoseAnswerBeforeCommit) {
      return Status::error(Code::kAmbiguous, "connection reset");
    }
    providers::RemoteWorkspace ws;
    ws.id = "id-" + std::to_string(++next_id);
    ws.name = desired.display_name;
    ws.description = desired.description.value_or("");
    ws.external_id = desired.external_id;
    ws.phase = create_phase;
    ws.vendor_fields = create_vendor_fields;
    remote[ws.id] = ws;
    if (fault == CreateFault::kLoseAnswerAfterCommit) {
      return Status::error(Code::kAmbiguous, "connection reset after commit");
    }
    return ws;
  }

  Outcome<providers::RemoteWorkspace> update(const providers::RemoteWorkspace& current,
                                             const model::Workspace& desired,
                                             const std::vector<providers::FieldChange>&) override {
    std::lock_guard lock(mu_);
    ++updates;
    auto& ws = remote[current.id];
    ws.name = desired.display_name;
    if (desired.description) ws.description = *desired.description;
    return ws;
  }

  Status remove(const std::string& id) override {
    std::lock_guard lock(mu_);
    ++deletes;
    remote.erase(id);
    return Status::ok();
  }

  std::vector<providers::FieldChange> diff(
      const model::Workspace& desired, const providers::RemoteWorkspace& observed) const override {
    std::vector<providers::FieldChange> out;
    auto text = [](const std::string& s) { return s; };
    providers::compare(out, "spec.displayName", observed.name, desired.display_name, text);
    if (desired.description) {
      providers::compare(out, "spec.description", observed.description, *desired.description, text);
    }
    return out;
  }

  // As the real providers do: an empty answer is proof only once the
  // attempt's window has passed, and then only if lookups_conclusive.
  Outcome<providers::LostCreateLookup> find_lost_create(
      const model::Workspace& desired, const providers::CreateAttempt& attempt) override {
    std::lock_guard lock(mu_);
    ++lookups;
    last_attempt = attempt;
    providers::LostCreateLookup lookup;
    lookup.conclusive =
        lookups_conclusive &&
        !attempt.may_still_commit(clock ? clock->wall_now() : std::chrono::system_clock::now());
    lookup.method = "externalId";
    for (const auto& [id, ws] : remote) {
      // lookup_by_name: as Aether's, which can only match what was sent.
      bool match =
          lookup_by_name ? ws.name == desired.display_name : ws.external_id == desired.external_id;
      if (match) lookup.candidates.push_back(ws);
    }
    return lookup;
  }

  std::string create_digest(const model::Workspace& desired) const override {
    return "digest-" + desired.display_name;
  }

  // Unset: no identity to look up before a first create (as Aether).
  std::optional<providers::ExistingIdentity> existing_identity(
      const model::Workspace& desired) const override {
    if (!identity_proof) return std::nullopt;
    providers::ExistingIdentity identity;
    identity.proof = *identity_proof;
    identity.method = "externalId \"" + desired.external_id + "\"";
    identity.allow_duplicates_hint = "set spec.fake.allowDuplicateNames: true";
    identity.matches = [external_id = desired.external_id](const providers::RemoteWorkspace& ws) {
      return ws.external_id == external_id;
    };
    return identity;
  }

  // As a provider whose reads leave some of its own fields out: each of
  // kept_keys a read lacks keeps its value of the last observation.
  void keep_unreported(const providers::RemoteWorkspace& last,
                       providers::RemoteWorkspace& fresh) const override {
    for (const auto& key : kept_keys) {
      bool reported = fresh.vendor_fields.is_object() && fresh.vendor_fields.contains(key);
      if (!reported && last.vendor_fields.is_object() && last.vendor_fields.contains(key)) {
        fresh.vendor_fields[key] = last.vendor_fields[key];
      }
    }
  }

  int writes() const { return creates + updates + deletes; }

  std::mutex mu_;
  std::map<std::string, providers::RemoteWorkspace> remote;
  CreateFault next_create_fault = CreateFault::kNone;
  int fail_lists = 0;               // the next lists answered 503
  int throttled_creates = 0;        // the next creates answered 429 (Retry-After 2 s)
  std::function<void()> on_create;  // called as each create is sent
  providers::Phase create_phase = providers::Phase::kReady;
  bool lookups_conclusive = true;
  bool lookup_by_name = false;  // find_lost_create matches the name sent, not the externalId
  std::optional<providers::ExistingIdentity::Proof> identity_proof;
  nlohmann::json create_vendor_fields;  // the provider's own fields a create reports
  std::vector<std::string> kept_keys;   // those keep_unreported keeps
  providers::CreateAttempt last_attempt;
  int next_id = 0;
  std::chrono::milliseconds list_delay{0};  // how long each list takes
  // When set, a list takes list_delay on it, and create windows are judged
  // by its wall time, as the reconciler's (reconcile_fixture.h).
  fake::FakeClock* clock = nullptr;
  std::function<void()> on_list;  // called as each list is sent (may block)
  int gets = 0, lists = 0, creates = 0, updates = 0, deletes = 0, lookups = 0;
  providers::Capabilities caps_;
};

}  // namespace wsop::testing
