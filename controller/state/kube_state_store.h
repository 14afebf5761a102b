// The StateStore of the kubernetes mode (`wsctl controller --source
// kubernetes`): every WorkspaceRecord lives ON its Workspace object
// (workspace-operator.io/v1alpha1, namespaced), in the annotations and the
// status of kube_record.h, so the controller keeps no local state and any
// replica that wins the Lease carries on the create journal where the last
// one stopped (ARCHITECTURE.md section 4).
//
// What holds, and why:
//   - Reads (get, list, keys, pending_creates, count_by_condition,
//     find_by_remote_id) never call the API: they read the Workspace
//     informer's cache, overlaid with the objects this store wrote (the
//     API's answer to each write), the newer of the two by resourceVersion
//     (compared as integers, as etcd and the API double give them). So a
//     read right after a write sees it before the watch delivers it. An
//     overlay entry is dropped once the informer has seen its version or a
//     newer one (and so its deletion too).
//   - Every write is a merge patch that carries metadata.resourceVersion of
//     the object the rule was checked against: the API server answers 409
//     when anyone wrote in between (a user's `kubectl label`, another
//     replica). Then the object is read fresh (client->get), the method's
//     rule checked again against the fresh record, and the write retried, at
//     most max_conflict_retries times (then kConflict). A merge patch names
//     only the fields it changes, so the user's label or annotation and this
//     store's record both land; the precondition is what makes rewriting
//     metadata.finalizers (a list a merge patch replaces whole) safe.
//   - put/put_all/begin_create/complete_create/move write the record's
//     annotations and add the finalizer (the others kept, ours once) in one
//     patch. begin_create and complete_create stop there unless the
//     record's conditions change (they live in the status alone): they are
//     the journal's steps, and the reconciler's next step (the create's
//     outcome, settled or reported: controller/reconcile/create_journal.cpp)
//     puts the record with its conditions at once, so rewriting the status
//     between (atProvider, observedGeneration) would cost the API server
//     two writes per create that nobody reads. put, put_all, move and
//     set_conditions then write the status subresource, only when it
//     differs from the
//     object's (or from what this store last wrote there and the server
//     kept: the server prunes what the CRD does not declare; remembered in
//     memory, so a replica that takes over rewrites such a status once), so
//     a resync that changes nothing writes nothing. A patch that would change nothing
//     is not sent at all. The finalizer is not added to an object already
//     being deleted (the API server forbids it).
//   - begin_create returns only after the API server answered the patch that
//     stores the pending record: the journal's step 1, confirmed under a
//     resourceVersion precondition before the create request is sent. It
//     refuses (kConflict, writing nothing) when the fresh object names a
//     remote workspace: a record with a remote id, or a user's
//     external-name annotation without a record (adopt it instead), and
//     (kInvalid) when its record annotation is damaged: that record might
//     have been pending, so a create could duplicate.
//   - put and complete_create refuse (kConflict) a (provider_config,
//     remote_id) that another object's record holds, as seen by the reads
//     above: a remote workspace has one owner.
//   - put_all is NOT atomic: Kubernetes has no transaction across objects.
//     The records are written in order and the first failure is returned;
//     those before it are written.
//   - move(from, to) is not atomic either: `from`'s record is removed first,
//     then `to` is put. A crash between the two leaves the remote unowned,
//     never owned twice; `to` carries the user's external-name annotation
//     (that is how a rename is told), so the next reconcile adopts it. What
//     would make the put fail is checked before the remove: kNotFound when
//     `from` has no record or `to` no object, kConflict when a third record
//     holds the remote.
//   - remove(key) drops the record and external-name annotations and this
//     store's finalizer in one patch, so an object being deleted
//     (deletionTimestamp set) then disappears. kNotFound without a record; a
//     404 from the API (the object is gone) counts as removed.
//   - An object without the record annotation has no record (an
//     external-name alone is a request to adopt). A damaged record
//     annotation: get() returns kInvalid naming the object; list, keys,
//     pending_creates, count_by_condition and find_by_remote_id skip it, and
//     invalid_records() names those the last scan met, so one bad object
//     hides no other.
//   - put() of a key whose Workspace object does not exist is kNotFound: the
//     object is the user's; this store never creates nor deletes one.
//   - get_meta/set_meta are kept in memory: nothing in the kubernetes mode
//     needs them durable (the source revision is the informer's own).
//   - A write that returns an error may have stored the annotations but not
//     the status (two requests); the caller's retry of the same call
//     finishes it.
//   - Costs: get() is a lookup. find_by_remote_id (before each put with a
//     remote id) looks the remote up in an index of the external-name
//     annotations, rebuilt (one pass over the cache, no parse) only when the
//     informer or this store has written since; a resync's puts that change
//     nothing send nothing and rebuild nothing (2,000 such puts: 0.6 s in a
//     Debug build, 0 requests). keys, pending_creates and
//     count_by_condition parse each record once per resourceVersion (a memo
//     in kube_record_view.h); list parses every record. The cache keeps
//     objects encoded (kube/cache.h): each read decodes the object it needs,
//     and the scans decode one object at a time, never all at once.
//   - Thread-safe: the reconcile workers call it at once. No lock is held
//     while a request is in flight. Nothing here reads or writes a
//     credential; the client holds its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/state/kube_record_view.h"
#include "controller/state/state_store.h"
#include "kube/client.h"
#include "kube/informer.h"

namespace wsop::state {

// The Workspace custom resource (manifests/crds/workspaces.workspace-operator.io.yaml).
inline const kube::Resource kWorkspaceResource{"workspace-operator.io", "v1alpha1", "workspaces",
                                               true};
inline constexpr const char* kWorkspaceFinalizer = "workspace-operator.io/finalizer";

struct KubeStateStoreOptions {
  std::string finalizer = kWorkspaceFinalizer;
  int max_conflict_retries = 5;
  // The metadata.generation the record's status reports as observedGeneration
  // (the generation of the spec the controller reconciles for that key);
  // unset: the cached object's metadata.generation.
  std::function<std::optional<std::int64_t>(const model::WorkspaceKey&)> generation_of;
};

class KubeStateStore : public StateStore {
 public:
  // `informer` is the running Workspace informer (kube/informer.h); reads
  // come from its cache, never from the API. It must outlive the store.
  KubeStateStore(std::shared_ptr<kube::Client> client, const kube::Informer& informer,
                 KubeStateStoreOptions options = {});
  // The same over several informers: one per watched namespace (--namespace
  // repeated), each key read from the one that watches its namespace.
  KubeStateStore(std::shared_ptr<kube::Client> client, std::vector<const kube::Informer*> informers,
                 KubeStateStoreOptions options = {});

  Outcome<std::optional<WorkspaceRecord>> get(const model::WorkspaceKey& key) override;
  Outcome<std::vector<WorkspaceRecord>> list(const ListOptions& options) override;
  Outcome<std::vector<RecordKey>> keys() override;
  Outcome<std::vector<PendingCreate>> pending_creates() override;
  Outcome<std::vector<ConditionCount>> count_by_condition() override;
  Status put(const WorkspaceRecord& record) override;
  Status put_all(const std::vector<WorkspaceRecord>& records) override;
  Status remove(const model::WorkspaceKey& key) override;
  Status move(const model::WorkspaceKey& from, const WorkspaceRecord& to) override;
  Outcome<WorkspaceRecord> begin_create(const WorkspaceRecord& record, Time now) override;
  Status complete_create(const model::WorkspaceKey& key, const std::string& remote_id,
                         const std::string& observed_json,
                         const SettleRecord& settle = {}) override;
  Outcome<std::optional<WorkspaceRecord>> find_by_remote_id(const std::string& provider_config,
                                                            const std::string& remote_id) override;
  Status set_conditions(const model::WorkspaceKey& key,
                        const model::Conditions& conditions) override;
  Outcome<std::optional<std::string>> get_meta(const std::string& key) override;
  Status set_meta(const std::string& key, const std::string& value) override;

  // The object as this store last wrote or the informer last saw it,
  // whichever is newer (nullptr: none).
  kube::ObjectPtr object(const model::WorkspaceKey& key) const;

  // The damaged record annotations the last scan (list, keys, ...) skipped,
  // each message naming its object; empty when there were none.
  std::vector<std::string> invalid_records() const { return view_.invalid_records(); }
  // The objects this store wrote that the informer had not delivered when
  // last looked at (each kept whole until then; kube_record_view.h).
  std::size_t unconfirmed_writes() const { return view_.overlay_size(); }

 private:
  // What one attempt writes, given the newest object: a Status to give up
  // with, nothing (nullopt: the object already holds it) or a merge patch.
  using Plan = std::function<Outcome<std::optional<nlohmann::json>>(const nlohmann::json& object)>;

  // Plans and sends a patch with the resourceVersion precondition, reading
  // the object fresh and planning again after each 409. Answers the object
  // written (or the one that needed nothing).
  Outcome<kube::ObjectPtr> write(const model::WorkspaceKey& key, const Plan& plan,
                                 bool status_subresource, const std::string& what);
  // The record `make` returns for the newest object (checking its rule
  // there, again after each 409): its annotations and the finalizer, then
  // its status; without with_status, the status only when the record's
  // conditions (kept in the status alone) change. Answers the record
  // written.
  using MakeRecord = std::function<Outcome<WorkspaceRecord>(const nlohmann::json& object)>;
  Outcome<WorkspaceRecord> write_record(const model::WorkspaceKey& key, const MakeRecord& make,
                                        const std::string& what, bool with_status = true);
  // The status of the record `record_for` returns, when it differs.
  Status write_status(const model::WorkspaceKey& key, const MakeRecord& record_for,
                      const std::string& what);
  Outcome<std::optional<nlohmann::json>> status_patch(const WorkspaceRecord& record,
                                                      const nlohmann::json& object);
  // kConflict when an object other than record.key's (or `leaving`'s, a
  // move's source) holds its remote id.
  Status check_single_owner(const WorkspaceRecord& record,
                            const model::WorkspaceKey* leaving = nullptr);
  Outcome<kube::ObjectPtr> read_fresh(const model::WorkspaceKey& key);
  // The newest known object, or a fresh read when none is known yet.
  Outcome<kube::ObjectPtr> existing(const model::WorkspaceKey& key);
  std::int64_t generation(const model::WorkspaceKey& key, const nlohmann::json& object) const;

  std::shared_ptr<kube::Client> client_;
  KubeStateStoreOptions options_;
  KubeRecordView view_;

  mutable std::mutex mu_;
  std::map<std::string, std::string> meta_;  // guarded by mu_
  // Per key: hashes of the status last sent and of the status the server
  // kept of it (pruned to the CRD's schema); guarded by mu_.
  struct SentStatus {
    std::size_t sent = 0;
    std::size_t kept = 0;
  };
  std::map<model::WorkspaceKey, SentStatus> sent_status_;
};

}  // namespace wsop::state
