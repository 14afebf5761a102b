// How KubeStateStore (kube_state_store.h) reads Workspace objects: the
// informer's cache overlaid with the objects the store wrote, the newer by
// resourceVersion, and a memo of what each object's record says in brief
// (so /metrics and a resync do not parse 10,000 annotations each time).
//
// Why the overlay is exact: the informer puts an event's object in its cache
// BEFORE it advances last_resource_version() (kube/informer.cpp, apply), and
// resourceVersions are one global counter. So once the informer's version
// (read before its cache) is at or past an overlay entry's, the cache holds
// that object's version or a newer one, or the object is gone: the entry is
// dropped either way. Every read that may drop an entry or answer the
// cache's object reads the cache under mu_: a reader holding an older read
// of the cache could otherwise answer it after another reader, with a newer
// read, dropped the entry that was newer than it (seen as a "no state
// record" on complete_create under 64 workers).
//
// Thread-safe: any thread reads; remember() may race with reads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/state/state_store.h"
#include "kube/cache.h"
#include "kube/informer.h"

namespace wsop::state {

// <0, 0, >0 as resourceVersion a is older than, the same as or newer than b,
// compared as integers; nullopt when either is not one (then only equality
// is known).
std::optional<int> compare_resource_versions(const std::string& a, const std::string& b);

model::WorkspaceKey key_of(const nlohmann::json& object);
// The object's external-name annotation, or null.
const nlohmann::json* external_name(const nlohmann::json& object);

// What keys(), pending_creates(), count_by_condition() need of a record.
struct RecordSummary {
  bool has_record = false;
  std::string invalid;  // not empty: the record annotation is damaged (the message)
  std::string owner_instance_id;
  std::string provider_config;
  CreateState create_state = CreateState::kNone;
  std::string request_digest;
  ConditionStatus ready = ConditionStatus::kUnknown;
  ConditionStatus synced = ConditionStatus::kUnknown;
  bool unresolved = false;  // Synced's reason is CreatePendingUnresolved
};

class KubeRecordView {
 public:
  // One informer per watched namespace, or one over all of them.
  explicit KubeRecordView(std::vector<const kube::Informer*> informers)
      : informers_(std::move(informers)) {}

  // The newest known version of the object (nullptr: none).
  kube::ObjectPtr newest(const model::WorkspaceKey& key) const;
  // Every object's newest version, ordered by namespace then name.
  std::vector<kube::ObjectPtr> snapshot() const;
  // The keys whose cached or written object's external-name annotation is
  // `remote_id`: a superset of those whose newest object names it (the
  // caller checks each with newest()). From an index rebuilt only when the
  // informer's resourceVersion or the overlay moved since the last call, so
  // a resync's puts, which change nothing, do not scan every object each.
  std::vector<model::WorkspaceKey> naming(const std::string& remote_id) const;
  // naming() when the informer's cache indexes the external-name annotation
  // (the controller's does: controller/runtime/kube_source.cpp): the cache's
  // index and the overlay's own, with no scan of either.
  std::vector<model::WorkspaceKey> naming_indexed(const std::string& remote_id) const;
  // Keeps `object` (a write's answer, or a fresh read) when it is newer than
  // what the overlay holds; returns it.
  kube::ObjectPtr remember(nlohmann::json object);

  // The summary of each object of `objects` (a snapshot), from the memo
  // when the object's resourceVersion is the one summarised; damaged
  // records are noted for invalid_records().
  std::vector<RecordSummary> summaries(const std::vector<kube::ObjectPtr>& objects) const;
  // Notes the damaged records a full scan found (each message names its object).
  void note_invalid(std::vector<std::string> problems) const;
  std::vector<std::string> invalid_records() const;

 private:
  using Overlay = std::map<model::WorkspaceKey, kube::ObjectPtr>;
  // Chooses between the cache's and the overlay's object; drops the overlay
  // entry when the informer has caught up with it. mu_ held.
  kube::ObjectPtr pick_locked(const model::WorkspaceKey& key, kube::ObjectPtr cached,
                              const std::string& informer_version) const;
  // The overlay and its index of external-names change only through these
  // (mu_ held).
  void keep_locked(const model::WorkspaceKey& key, kube::ObjectPtr object);
  void drop_locked(Overlay::iterator entry) const;
  // Drops every entry the informers have caught up with.
  void sweep_locked();
  static RecordSummary summarise(const nlohmann::json& object);

  // Every informer's objects (the caches' order).
  std::vector<kube::ObjectPtr> cached() const;
  // The informer watching `ns` (null: none does).
  const kube::Informer* informer_for(const std::string& ns) const;
  // The informers' versions joined: changes whenever one of them moves.
  std::string versions() const;

  const std::vector<const kube::Informer*> informers_;
  mutable std::mutex mu_;
  mutable Overlay overlay_;  // guarded by mu_
  // The overlay's keys by their object's external-name; guarded by mu_.
  mutable std::unordered_map<std::string, std::set<model::WorkspaceKey>> overlay_names_;
  std::size_t swept_at_size_ = 0;     // overlay_'s size after the last sweep; guarded by mu_
  std::uint64_t overlay_writes_ = 0;  // remember()s; guarded by mu_
  // external-name -> keys, as of (the informer's version, overlay_writes_).
  struct RemoteIndex {
    std::string informer_version;
    std::uint64_t overlay_writes = 0;
    bool built = false;
    std::unordered_map<std::string, std::vector<model::WorkspaceKey>> keys;
  };
  mutable std::mutex index_mu_;
  mutable RemoteIndex index_;  // guarded by index_mu_
  struct Memo {
    std::string resource_version;
    RecordSummary summary;
  };
  mutable std::mutex memo_mu_;
  mutable std::unordered_map<std::string, Memo> memo_;  // "ns/name"; guarded by memo_mu_
  mutable std::vector<std::string> invalid_;            // guarded by memo_mu_
};

}  // namespace wsop::state
