// The one interface the controller uses to reach a provider (ARCHITECTURE.md
// sections 3 and 4). A provider maps a Workspace manifest onto one vendor's
// API; everything here is provider-neutral. controller/ includes this header
// and registry.h, never a provider's own.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/v1alpha1/types.h"
#include "common/status.h"

namespace wsop::providers {

using TimePoint = std::chrono::system_clock::time_point;

// Where a remote workspace is in its life, in the operator's terms.
enum class Phase {
  kReady,         // exists and is usable (Aether: running, or stopped on purpose)
  kProvisioning,  // exists, not ready yet: poll again (Aether creating, starting...)
  kFailed,        // exists, provisioning failed (Aether error); see error_message
  kStopped,       // exists, not running (Aether stopped, hibernating)
  kGone,          // archived or deleted: not ours to update
};
const char* to_string(Phase phase);

// A workspace as the provider reports it. Fields the provider does not have
// stay unset.
struct RemoteWorkspace {
  std::string id;
  Phase phase = Phase::kReady;
  std::string status;  // the vendor's own status word, for people
  std::string error_message;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> external_id;
  std::map<std::string, std::string> labels;
  std::optional<model::Hardware> hardware;  // every field set when present
  std::optional<TimePoint> created_at;
  // The provider's own observations, which only its code reads (Paradigm's
  // company and upload method, Aether's project and keep_active): an object
  // of camelCase keys (or null when there are none), written and read
  // through the provider's typed view (providers/<vendor>/*_observation.h).
  // The core keeps it unread: the state store holds its keys beside the
  // neutral ones (controller/reconcile/observed_json.cpp, which also lists
  // the neutral keys it must never use).
  nlohmann::json vendor_fields;
  // Facts people want to see (status.atProvider, `wsctl get -o wide`): an
  // object of camelCase keys such as Aether's machineId and privateIp or
  // Paradigm's usedStorage; null when there are none. Never a credential
  // (Aether's preview_token is never read).
  nlohmann::json at_provider;
};

// One managed field whose remote value differs from the manifest.
struct FieldChange {
  std::string path;      // manifest path: "spec.displayName", "spec.hardware.cpus"
  std::string observed;  // rendered for people ("<unset>" when absent)
  std::string desired;
  bool requires_replacement = false;  // immutable after create
};

// What a provider can do. Every flag drives behaviour: the loader's
// validation and warnings, the plan's attributes and the reconciler's
// proofs of absence. A provider's descriptor (providers/descriptor.h) holds
// them, and capabilities() returns the same.
struct Capabilities {
  bool display_name = true;         // the API stores spec.displayName (else local only)
  bool description = true;          // the API stores spec.description (else local only)
  bool native_external_id = false;  // the API stores our externalId (else local only)
  bool labels = false;              // the API stores labels (else local only)
  bool hardware = false;            // spec.hardware applies (else an error)
  // A 404 from get() proves the workspace is gone (Paradigm: no, a 403 or
  // 404 only means "not visible").
  bool not_found_proves_absence = true;
  // list() shows every workspace the operator may own, so one missing from
  // a fresh list is gone (Cadenya: no, its list is filtered by our label).
  bool list_shows_all = true;
};

// The create journal's record of an attempt whose answer was lost, and the
// one rule for how long such a create may still show up (ARCHITECTURE.md
// section 4): a server can commit a create after our client stopped waiting
// for its answer, so an empty lookup proves nothing before window_end().
struct CreateAttempt {
  // How far a server's clock (its created_at) may differ from ours, which
  // also covers a commit landing a little after our deadline.
  static constexpr std::chrono::seconds kClockSkew{30};

  TimePoint requested_at;
  // How long after requested_at our client may have been waiting for the
  // answer: the ProviderConfig's connect plus request timeouts (the request
  // is written only once the connection is up).
  std::chrono::milliseconds request_timeout{35000};

  // When, by the server's clock, the workspace this attempt made may have
  // been created.
  TimePoint window_start() const { return requested_at - kClockSkew; }
  TimePoint window_end() const { return requested_at + request_timeout + kClockSkew; }
  // True while the create may still commit: an empty lookup is not proof.
  bool may_still_commit(TimePoint now) const { return now <= window_end(); }
};

// What a lookup after a lost create answer found (ARCHITECTURE.md section 4).
struct LostCreateLookup {
  std::vector<RemoteWorkspace> candidates;
  // True when an empty candidate list proves the create did not happen;
  // false when the provider cannot tell (then the reconciler must not
  // create again).
  bool conclusive = false;
  std::string method;  // how candidates were matched, for the condition message
};

// How a first create recognises a workspace that is already there, made
// by this operator before its record was lost (an emptied or restored state
// file) or by someone else under the same name. The reconciler matches it
// against the ProviderConfig's last list before sending the create
// (controller/reconcile/create_journal.cpp).
struct ExistingIdentity {
  enum class Proof {
    // A match carries this operator's ownership and this manifest's
    // identity (Cadenya: the owner label and the externalId): the one
    // unowned match is adopted, never created a second time.
    kOwned,
    // A match has the name the create would give, in the same scope
    // (Paradigm: the company): creating would make a second workspace of
    // that name, so it is reported (AlreadyExists) instead.
    kSameName,
  };
  Proof proof = Proof::kOwned;
  std::string method;  // how matches are found, for the condition message
  std::function<bool(const RemoteWorkspace&)> matches;
  // What every match carries, when one value does: the observed cache then
  // reads only the workspaces listed with that name or externalId instead
  // of every one (10,000 first creates would each read the whole list).
  // `matches` still decides.
  std::optional<std::string> name;
  std::optional<std::string> external_id;
  // kSameName: how the ProviderConfig allows a second workspace of the
  // name, for the AlreadyExists message ("set spec.<type>.<field>: true").
  std::string allow_duplicates_hint;
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual const Capabilities& capabilities() const = 0;
  virtual model::ProviderType type() const = 0;

  // kNotFound when the workspace does not exist or is not visible. For
  // Paradigm that is not proof of absence (a 403 hides it): use list.
  virtual Outcome<RemoteWorkspace> get(const std::string& id) = 0;

  // Every workspace this operator could manage in the scope the desired
  // workspaces span (Paradigm: their companies; Cadenya: the ownership
  // label; Aether: the account), following pagination.
  virtual Outcome<std::vector<RemoteWorkspace>> list(
      const std::vector<const model::Workspace*>& desired) = 0;

  // Sends one create, never repeated once it may have reached the server:
  // kAmbiguous when the outcome is unknown.
  virtual Outcome<RemoteWorkspace> create(const model::Workspace& desired) = 0;

  // Applies the mutable changes (from diff) to the remote workspace,
  // including any power transition the provider has (Aether's start and
  // stop, for spec.aether.powerState): that is the provider's own business.
  virtual Outcome<RemoteWorkspace> update(const RemoteWorkspace& current,
                                          const model::Workspace& desired,
                                          const std::vector<FieldChange>& changes) = 0;

  // Deletes (Cadenya: archives). OK when it is already gone.
  virtual Status remove(const std::string& id) = 0;

  // The managed fields that differ; only what the manifest sets is compared.
  virtual std::vector<FieldChange> diff(const model::Workspace& desired,
                                        const RemoteWorkspace& observed) const = 0;

  // Reads the workspace `desired` is to adopt (external-name annotation,
  // `wsctl import`), checking what a plain get cannot show (Paradigm: the
  // company, through its company list). kConflict when it is not one the
  // manifest may adopt.
  virtual Outcome<RemoteWorkspace> get_to_adopt(const std::string& id,
                                                const model::Workspace& desired) {
    (void)desired;
    return get(id);
  }

  // Fills in `fresh` what this read left out and `last` (the same
  // workspace as last observed) knew. Some reads leave out fields that
  // other reads report (Paradigm's GET and list have no company); an
  // immutable field the read did not report still has its last value, or
  // the plan could not see an immutable change.
  virtual void keep_unreported(const RemoteWorkspace& last, RemoteWorkspace& fresh) const {
    (void)last;
    (void)fresh;
  }

  // Whether a fresh list() would show `last` (the workspace as last
  // observed) if it still existed, so that its absence proves it gone after
  // get() answered kNotFound. Paradigm: only for the company its token's
  // list covers.
  virtual bool list_proves_absence(const RemoteWorkspace& last) const {
    (void)last;
    return true;
  }

  // The identity a first create of `desired` looks for in the last list;
  // nullopt when the provider has none (Aether) or its list cannot show the
  // workspace's scope (Paradigm: another company than the token's).
  virtual std::optional<ExistingIdentity> existing_identity(const model::Workspace& desired) const {
    (void)desired;
    return std::nullopt;
  }

  // Finds the workspace a lost create may have made.
  virtual Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                                     const CreateAttempt& attempt) = 0;

  // A digest of the create request, recorded in the journal before sending.
  virtual std::string create_digest(const model::Workspace& desired) const = 0;

  // Stops waiting in rate limits and retries (shutdown of the client, not
  // of a workspace).
  virtual void stop() = 0;
};

}  // namespace wsop::providers
