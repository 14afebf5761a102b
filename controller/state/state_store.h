// The durable identity map of ARCHITECTURE.md section 4: for every workspace
// the operator manages, which remote workspace it is, who owns it, where its
// create journal stands and what was last observed and applied. Paradigm and
// Aether have no native external id, so this store (like Terraform state) is
// the only proof that a remote workspace belongs to a manifest.
//
// The controller and the CLI use only this interface; the SQLite
// implementation lives in sqlite_state_store.h. Every method is safe to call
// from several threads at once, and every method that returns OK has made its
// change durable (it survives a crash or power loss) before returning.
//
// Nothing here ever holds a credential: there is no field for one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/v1alpha1/types.h"
#include "common/status.h"

namespace wsop::state {

// Times are stored with millisecond precision; finer parts are dropped.
using Time = std::chrono::system_clock::time_point;

// The create protocol of section 4. kPending means a create request may have
// been sent and its outcome is unknown until proven otherwise.
enum class CreateState { kNone, kPending, kSucceeded };
const char* to_string(CreateState state);  // "none" | "pending" | "succeeded"
std::optional<CreateState> create_state_from_string(const std::string& text);

struct CreateJournal {
  CreateState state = CreateState::kNone;
  std::optional<Time> requested_at;  // when the (last) create was about to be sent
  std::string request_digest;        // hash of the create request body
  int pending_attempts = 0;          // creates begun since the last success

  bool operator==(const CreateJournal&) const = default;
};

// How the operator came to own the remote workspace. Prune (section 4) acts
// only on records whose owner is this instance, whatever the origin.
enum class Origin {
  kCreated,   // this operator sent the create
  kAdopted,   // found by the journal's lookup or named by the external-name annotation
  kImported,  // `wsctl import`
};
const char* to_string(Origin origin);  // "created" | "adopted" | "imported"
std::optional<Origin> origin_from_string(const std::string& text);

struct WorkspaceRecord {
  model::WorkspaceKey key;  // namespace/name: the primary key
  std::string external_id;
  std::string provider_config;  // the ProviderConfig's name
  // The provider's registered name (providers/registry.h); empty when no
  // provider was known as the record was written.
  model::ProviderType provider_type;
  std::optional<std::string> remote_id;  // unset until created or adopted
  std::string owner_instance_id;         // `--instance-id` of the creating/adopting operator
  Origin origin = Origin::kCreated;
  CreateJournal create;
  // The provider-neutral observed state as JSON text; empty: never observed.
  std::string observed_json;
  model::Conditions conditions;
  // The manifest's policies when last applied: pruning a manifest that left
  // the source follows them (section 5).
  model::DeletionPolicy deletion_policy = model::DeletionPolicy::kDelete;
  model::ManagementPolicy management_policy = model::ManagementPolicy::kFull;
  // The workspace-operator.io/paused annotation when last reconciled: a paused
  // workspace is left alone even after its manifest leaves the source, so
  // prune and `wsctl delete` must know it without the manifest.
  bool paused = false;
  int64_t applied_generation = 0;
  std::string applied_digest;  // digest of the desired spec last applied
  std::optional<Time> last_applied_at;

  bool operator==(const WorkspaceRecord&) const = default;
};

struct ListOptions {
  // Only records of this ProviderConfig; unset: all records.
  std::optional<std::string> provider_config;
};

// A record's key and owner: what a resync and the prune guard need, without
// the rest of the record (10,000 full records would raise the peak memory).
struct RecordKey {
  model::WorkspaceKey key;
  std::string owner_instance_id;
};

// A create that was sent, or is about to be, and whose outcome is not yet
// recorded (journal step 1 done, step 3 not): what keeps two creates of the
// same request from being unresolved at once (controller/reconcile/create_gate.h).
struct PendingCreate {
  model::WorkspaceKey key;
  std::string provider_config;
  std::string request_digest;
};

// How many records share one ProviderConfig and one Ready and Synced
// status, and how many of them carry CreatePendingUnresolved.
struct ConditionCount {
  std::string provider_config;
  model::ConditionStatus ready = model::ConditionStatus::kUnknown;
  model::ConditionStatus synced = model::ConditionStatus::kUnknown;
  int64_t records = 0;
  int64_t unresolved = 0;
};

// The create journal's two record rules, shared by every store so that
// none can differ on them (section 4 of ARCHITECTURE.md):
//   - step 1: the record begin_create() stores over `stored`: pending, no
//     remote id, origin created, requested_at = now (milliseconds),
//     pending_attempts one more than a pending `stored`'s (else 1).
//     kConflict when `stored` has a remote id: creating again would
//     duplicate it.
//   - step 3: the record complete_create() stores: `stored` with the remote
//     id and observation, succeeded, no pending attempts. kConflict when
//     `stored` is not pending.
Outcome<WorkspaceRecord> pending_create_record(const WorkspaceRecord& requested,
                                               const std::optional<WorkspaceRecord>& stored,
                                               Time now);
// What the reconciler settles a completed create on in the same write
// (conditions, applied digest, ...): see StateStore::complete_create.
using SettleRecord = std::function<void(WorkspaceRecord&)>;
Outcome<WorkspaceRecord> completed_create_record(WorkspaceRecord stored,
                                                 const std::string& remote_id,
                                                 const std::string& observed_json,
                                                 const SettleRecord& settle = {});

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The record of `key`, or nullopt when there is none (absence is not an error).
  virtual Outcome<std::optional<WorkspaceRecord>> get(const model::WorkspaceKey& key) = 0;

  // Every record matching `options`, ordered by namespace then name, read in
  // one consistent snapshot.
  virtual Outcome<std::vector<WorkspaceRecord>> list(const ListOptions& options) = 0;

  // Every record's key and owner, ordered by namespace then name.
  virtual Outcome<std::vector<RecordKey>> keys() = 0;

  // Every record whose create is pending, ordered by namespace then name.
  virtual Outcome<std::vector<PendingCreate>> pending_creates() = 0;

  // The records counted by ProviderConfig and condition statuses, without
  // reading them: what /metrics scrapes, as often as it likes, at no cost
  // that grows with the records' size.
  virtual Outcome<std::vector<ConditionCount>> count_by_condition() = 0;

  // Inserts or replaces the whole record of record.key. A remote workspace has
  // at most one owner: kConflict when another record already holds the same
  // (provider_config, remote_id).
  virtual Status put(const WorkspaceRecord& record) = 0;

  // put() of every record in one transaction: all are stored or none.
  virtual Status put_all(const std::vector<WorkspaceRecord>& records) = 0;

  // Drops the record of `key` (after a delete, or `wsctl forget`); never
  // touches the remote. kNotFound when there is no record.
  virtual Status remove(const model::WorkspaceKey& key) = 0;

  // A rename: drops the record of `from` and puts `to` (another key, the
  // same remote workspace) in one transaction, so that no moment has two
  // owners of the remote id nor none. kNotFound when `from` has no record.
  virtual Status move(const model::WorkspaceKey& from, const WorkspaceRecord& to) = 0;

  // Journal step 1, to call BEFORE the create request is sent. Stores `record`
  // with create.state = pending, create.requested_at = now, no remote id,
  // origin = created, and create.pending_attempts one more than the stored
  // record's when that one was already pending (otherwise 1); every other field
  // (request_digest included) is taken from `record`. Returns the stored
  // record. kConflict, changing nothing, when the stored record already has a
  // remote id: creating again would duplicate it (put() the record without a
  // remote id first if the remote really is gone).
  virtual Outcome<WorkspaceRecord> begin_create(const WorkspaceRecord& record, Time now) = 0;

  // Journal step 3, after the create succeeded: records the remote id and the
  // observed state, sets create.state = succeeded and pending_attempts = 0,
  // in one transaction. `settle`, when given, changes the rest of the record
  // in that same write (the create's outcome: conditions, applied digest;
  // never the journal's fields, which it cannot undo), so that a create
  // costs one write here rather than two (one API write less per Workspace
  // in the kubernetes mode). kNotFound without a record; kConflict when the
  // record is not pending or another record owns `remote_id`.
  virtual Status complete_create(const model::WorkspaceKey& key, const std::string& remote_id,
                                 const std::string& observed_json,
                                 const SettleRecord& settle = {}) = 0;

  // The record that owns `remote_id` under `provider_config`, or nullopt when
  // the remote workspace is unowned.
  virtual Outcome<std::optional<WorkspaceRecord>> find_by_remote_id(
      const std::string& provider_config, const std::string& remote_id) = 0;

  // Replaces only the conditions of `key`'s record. kNotFound without a record.
  virtual Status set_conditions(const model::WorkspaceKey& key,
                                const model::Conditions& conditions) = 0;

  // A small key/value table for the store's owner (e.g. "source.revision",
  // the last good source revision). get_meta: nullopt when unset.
  virtual Outcome<std::optional<std::string>> get_meta(const std::string& key) = 0;
  virtual Status set_meta(const std::string& key, const std::string& value) = 0;
};

}  // namespace wsop::state
