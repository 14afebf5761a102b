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
// dropped either way. Entries are also swept when the overlay grows (every
// remember() past kOverlaySweepSize entries compares each with the cache's
// resourceVersion), so writes whose keys are never read again do not keep
// whole objects alive.
//
// Memory: the cache keeps objects encoded (kube/cache.h). The overlay keeps
// a written object's tree, so that the store's reads right after its own
// write decode nothing, while it holds fewer than kTreesKept entries (the
// writes the informer has not delivered yet: normally a few milliseconds'
// worth); a write remembered when it holds more is kept encoded, so a
// lagging watch costs what the cache costs. Each entry's resourceVersion
// and external-name are kept beside it, so that comparing and naming decode
// nothing. snapshot() lists keys and resourceVersions only, and each object
// is decoded when a reader needs it (load()), one at a time, so no reader
// holds every object's tree at once.
//
// The first read after the informer has caught up with a write (the cache
// holds the same resourceVersion) answers the written object and drops the
// entry: the same version is the same object (the informer drops
// managedFields as remember() does), and the cache's copy would have to be
// decoded. Should the cache move on between its version being read and the
// overlay's lock, that read answers the version it compared, as a read a
// moment earlier would have; a write planned on it meets a 409 and reads
// again.
//
// Thread-safe: any thread reads; remember() may race with reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
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
  std::string request_digest;  // only when create_state is kPending
  model::ConditionStatus ready = model::ConditionStatus::kUnknown;
  model::ConditionStatus synced = model::ConditionStatus::kUnknown;
  bool unresolved = false;  // Synced's reason is CreatePendingUnresolved
};

class KubeRecordView {
 public:
  // One informer per watched namespace, or one over all of them.
  explicit KubeRecordView(std::vector<const kube::Informer*> informers)
      : informers_(std::move(informers)) {}

  // The newest known version of the object (nullptr: none).
  kube::ObjectPtr newest(const model::WorkspaceKey& key) const;
  // Every object's newest version, ordered by namespace then name: the key,
  // the resourceVersion and, when this store's write is newer than the
  // cache, that object (else null: load() decodes the cache's).
  struct Listed {
    model::WorkspaceKey key;
    std::string resource_version;
    kube::ObjectPtr written;                             // the written tree, or
    std::shared_ptr<const std::string> written_encoded;  // its kube::encode_object
  };
  std::vector<Listed> snapshot() const;
  // The object `listed` names (null: deleted since the snapshot).
  kube::ObjectPtr load(const Listed& listed) const;
  // The keys whose cached or written object's external-name annotation is
  // `remote_id`: a superset of those whose newest object names it (the
  // caller checks each with newest()). From an index rebuilt only when the
  // informer's resourceVersion or the overlay moved since the last call, so
  // a resync's puts, which change nothing, do not scan every object each.
  std::vector<model::WorkspaceKey> naming(const std::string& remote_id) const;
  // naming() when the informer's cache indexes the external-name annotation
  // (the controller's does: controller/runtime/kube_source.cpp): the index's
  // objects and the overlay's, with no scan of the cache.
  std::vector<model::WorkspaceKey> naming_indexed(const std::string& remote_id) const;
  // Keeps `object` (a write's answer, or a fresh read) when it is newer than
  // what the overlay holds; returns it.
  kube::ObjectPtr remember(nlohmann::json object);

  // The summary of each object of `objects` (a snapshot), from the memo
  // when the object's resourceVersion is the one summarised (else the
  // object is loaded and summarised); damaged records are noted for
  // invalid_records(). An object deleted since the snapshot has no record.
  std::vector<RecordSummary> summaries(const std::vector<Listed>& objects) const;
  // The same, each summary handed to `visit` in the order of `objects`
  // (under the memo's lock: `visit` must not call back into this view), so
  // a count copies none of them: /metrics counts 10,000 records this way
  // on each scrape.
  void for_each_summary(const std::vector<Listed>& objects,
                        const std::function<void(std::size_t, const RecordSummary&)>& visit) const;
  // Notes the damaged records a full scan found (each message names its object).
  void note_invalid(std::vector<std::string> problems) const;
  std::vector<std::string> invalid_records() const;
  // The written objects kept because the informer had not delivered them
  // when last looked at.
  std::size_t overlay_size() const;

 private:
  // A written object: its tree, or (once the overlay holds more than
  // kTreesKept entries) its encoding as the cache keeps its own.
  struct Written {
    std::string resource_version;
    std::optional<std::string> external_name;  // the annotation, when a string
    kube::ObjectPtr tree;
    std::shared_ptr<const std::string> encoded;
  };
  // The overlay's entry when it is newer than the cache's object (`cached`:
  // the cache holds the key, at `cached_version`); null when the cache's
  // wins, dropping the overlay entry (the informer has caught up with it).
  // mu_ held; the entry lives while mu_ is held.
  const Written* pick_locked(const model::WorkspaceKey& key, bool cached,
                             const std::string& cached_version,
                             const std::string& informer_version) const;
  // Drops the overlay entries the informers have caught up with.
  void sweep_overlay() const;
  static RecordSummary summarise(const nlohmann::json& object);
  // The resourceVersion of the object `listed` names when that object
  // certainly holds no record annotation, found without decoding it (a
  // search of its encoded bytes); nullopt when it may hold one, is gone, or
  // is a written tree (reading that decodes nothing).
  std::optional<std::string> version_without_record(const Listed& listed) const;

  // Every informer's objects (the caches' order).
  std::vector<kube::ObjectPtr> cached() const;
  // The informer watching `ns` (null: none does).
  const kube::Informer* informer_for(const std::string& ns) const;
  // The informers' versions joined: changes whenever one of them moves.
  std::string versions() const;

  static constexpr std::size_t kOverlaySweepSize = 32;
  static constexpr std::size_t kTreesKept = 256;

  const std::vector<const kube::Informer*> informers_;
  mutable std::mutex mu_;
  mutable std::map<model::WorkspaceKey, Written> overlay_;  // guarded by mu_
  std::uint64_t overlay_writes_ = 0;                        // remember()s; guarded by mu_
  mutable std::size_t sweep_at_ = kOverlaySweepSize;  // overlay size to sweep at; guarded by mu_
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
  struct KeyHash {
    std::size_t operator()(const model::WorkspaceKey& key) const {
      return std::hash<std::string>{}(key.ns) * 31 + std::hash<std::string>{}(key.name);
    }
  };
  mutable std::mutex memo_mu_;
  mutable std::unordered_map<model::WorkspaceKey, Memo, KeyHash> memo_;  // guarded by memo_mu_
  mutable std::vector<std::string> invalid_;                             // guarded by memo_mu_
};

}  // namespace wsop::state
