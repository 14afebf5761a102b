// The kubernetes mode's source of desired state, the counterpart of the file
// modes' SourceWatcher (controller/manifest/source.h): informers on the
// cluster-scoped ProviderConfigs and on the Workspaces of the watched
// namespaces (one informer per namespace, or one over all of them) feed an
// ObjectSet (controller/source/kube_objects.h), and every change that
// matters becomes a new revision handed to on_revision.
//
//   - What matters: a spec change (metadata.generation), the labels and the
//     annotations a user wrote, a deletion (deletionTimestamp, or the object
//     gone). The operator's own writes (status, its record annotations, the
//     external-name it mirrors) change none of these, so they never come
//     back as a reconcile: the loop controller-runtime avoids with its
//     GenerationChanged predicate, kept here without losing annotations.
//   - Revisions are debounced: changes arriving within `debounce` of each
//     other make one revision. The first is not: it follows the informers'
//     complete lists (10,000 objects listed at start are one revision).
//   - Nothing is handed over before every informer has listed once: a
//     partial list would read as deletions.
//   - A revision holds the valid Workspaces that are not being deleted; the
//     ones being deleted are its only prunable keys (DesiredState::
//     set_prunable), so an invalid or unreadable Workspace is never taken
//     for one that left.
//
// on_revision is called from the source's own thread, one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/heartbeat.h"
#include "controller/reconcile/desired_state.h"
#include "controller/source/kube_objects.h"
#include "kube/informer.h"

namespace wsop::runtime {

inline const kube::Resource kWorkspaceResource{"workspace-operator.io", "v1alpha1", "workspaces",
                                               true};
inline const kube::Resource kProviderConfigResource{"workspace-operator.io", "v1alpha1",
                                                    "providerconfigs", false};

struct KubeRevision {
  std::shared_ptr<reconcile::DesiredState> desired;
  std::vector<source::InvalidObject> invalid;            // set aside, with why
  std::set<model::WorkspaceKey> deleting;                // deletionTimestamp set
  std::map<source::ObjectRef, source::ObjectMeta> meta;  // of every object
};

struct KubeSourceOptions {
  std::vector<std::string> namespaces;  // empty: all namespaces
  manifest::LoadOptions load;
  std::chrono::milliseconds debounce{200};
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds max_watch_timeout{600};
};

class KubeSource {
 public:
  KubeSource(std::shared_ptr<kube::Client> client, KubeSourceOptions options,
             std::function<void(KubeRevision)> on_revision);
  ~KubeSource();  // stop()
  KubeSource(const KubeSource&) = delete;
  KubeSource& operator=(const KubeSource&) = delete;

  void start();
  void stop();  // idempotent; no on_revision after it returns

  bool synced() const;
  // Why not synced yet (for /readyz): the informers still listing, and
  // their last error.
  std::string not_synced_reason() const;
  // The Workspace object as last seen (null: none), e.g. for an Event's
  // reference.
  kube::ObjectPtr workspace(const model::WorkspaceKey& key) const;
  const std::vector<std::unique_ptr<kube::Informer>>& workspace_informers() const {
    return workspaces_;
  }
  const Heartbeat& heartbeat() const { return beat_; }
  // Informer counters summed (lists, relists, watches...), for tests and logs.
  kube::InformerStats stats() const;

 private:
  kube::EventHandlers handlers();
  // A new revision follows when the object was `added` or its desired
  // state changed.
  void upsert(const kube::ObjectPtr& object, bool added);
  void remove(const kube::ObjectPtr& object);
  void run();
  KubeRevision build();
  void log_first_revision(const KubeRevision& revision,
                          std::chrono::steady_clock::time_point synced_at) const;

  std::shared_ptr<kube::Client> client_;
  KubeSourceOptions options_;
  std::function<void(KubeRevision)> on_revision_;
  std::unique_ptr<kube::Informer> provider_configs_;
  std::vector<std::unique_ptr<kube::Informer>> workspaces_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  source::ObjectSet objects_;  // guarded by mu_
  bool changed_ = false;       // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  int revisions_ = 0;          // guarded by mu_
  std::chrono::steady_clock::time_point started_;
  Heartbeat beat_;
  std::thread thread_;
};

}  // namespace wsop::runtime
