#include "controller/runtime/kube_source.h"

#include "api/v1alpha1/types.h"
#include "controller/observability/logging.h"

namespace wsop::runtime {

using observability::log_warn;

KubeSource::KubeSource(std::shared_ptr<kube::Client> client, KubeSourceOptions options,
                       std::function<void(KubeRevision)> on_revision)
    : client_(std::move(client)),
      options_(std::move(options)),
      on_revision_(std::move(on_revision)),
      objects_(options_.load) {
  auto informer = [this](const kube::Resource& resource, const std::string& ns) {
    kube::InformerOptions o;
    o.resource = resource;
    o.namespace_name = ns;
    // The state store looks Workspaces up by remote id before every write
    // (controller/state/kube_record_view.h: naming): an index, not a scan.
    if (resource.plural == kWorkspaceResource.plural) {
      o.indexed_annotations = {model::kAnnotationExternalName};
    }
    o.min_watch_timeout = options_.min_watch_timeout;
    o.max_watch_timeout = options_.max_watch_timeout;
    return std::make_unique<kube::Informer>(client_, o, handlers());
  };
  provider_configs_ = informer(kProviderConfigResource, "");
  if (options_.namespaces.empty()) {
    workspaces_.push_back(informer(kWorkspaceResource, ""));
  } else {
    for (const auto& ns : options_.namespaces)
      workspaces_.push_back(informer(kWorkspaceResource, ns));
  }
}

KubeSource::~KubeSource() {
  stop();
}

kube::EventHandlers KubeSource::handlers() {
  kube::EventHandlers h;
  h.on_add = [this](const kube::ObjectPtr& object) { upsert(object, true); };
  // Only what the user wrote is a change (ObjectSet::upsert): the
  // operator's status and record writes never come back as work.
  h.on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& new_object) {
    upsert(new_object, false);
  };
  h.reads_old_object = false;
  h.on_delete = [this](const kube::ObjectPtr& object) { remove(object); };
  // The last informer to sync wakes the source at once (the first revision
  // waits for every one of them).
  h.on_synced = [this] {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  };
  return h;
}

void KubeSource::upsert(const kube::ObjectPtr& object, bool added) {
  std::lock_guard lock(mu_);
  Outcome<bool> changed = objects_.upsert(*object);
  if (!changed) {
    log_warn("object ignored", {{"error", changed.status().message()}});
    return;
  }
  if (added || *changed) {
    changed_ = true;
    cv_.notify_all();
  }
}

void KubeSource::remove(const kube::ObjectPtr& object) {
  auto ref = source::object_ref(*object);
  if (!ref) return;
  std::lock_guard lock(mu_);
  objects_.remove(*ref);
  changed_ = true;
  cv_.notify_all();
}

void KubeSource::start() {
  started_ = std::chrono::steady_clock::now();
  provider_configs_->start();
  for (auto& informer : workspaces_) informer->start();
  thread_ = std::thread([this] { run(); });
}

void KubeSource::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  provider_configs_->stop();
  for (auto& informer : workspaces_) informer->stop();
}

bool KubeSource::synced() const {
  if (!provider_configs_->has_synced()) return false;
  for (const auto& informer : workspaces_) {
    if (!informer->has_synced()) return false;
  }
  return true;
}

std::string KubeSource::not_synced_reason() const {
  std::string out;
  auto add = [&out](const char* what, const std::string& ns, const kube::Informer& informer) {
    if (informer.has_synced()) return;
    out += out.empty() ? "" : "; ";
    out += std::string("listing ") + what + (ns.empty() ? "" : " in namespace " + ns);
    if (auto error = informer.last_error(); !error.empty()) out += " (last error: " + error + ")";
  };
  add("ProviderConfigs", "", *provider_configs_);
  for (size_t i = 0; i < workspaces_.size(); ++i) {
    add("Workspaces", options_.namespaces.empty() ? "" : options_.namespaces[i], *workspaces_[i]);
  }
  return out.empty() ? "waiting for the first revision" : out;
}

kube::ObjectPtr KubeSource::workspace(const model::WorkspaceKey& key) const {
  for (const auto& informer : workspaces_) {
    if (auto object = informer->get(key.ns, key.name)) return object;
  }
  return nullptr;
}

kube::InformerStats KubeSource::stats() const {
  kube::InformerStats sum = provider_configs_->stats();
  for (const auto& informer : workspaces_) {
    auto s = informer->stats();
    sum.lists += s.lists;
    sum.relists += s.relists;
    sum.watches += s.watches;
    sum.watch_failures += s.watch_failures;
    sum.events += s.events;
    sum.bookmarks += s.bookmarks;
  }
  return sum;
}

KubeRevision KubeSource::build() {
  // One hold of the lock from the snapshot to its publication: no object
  // may change in between (ObjectSet::publish).
  std::lock_guard lock(mu_);
  source::ObjectSnapshot snapshot = objects_.snapshot();
  int number = ++revisions_;
  KubeRevision out;
  std::vector<model::Workspace> kept;
  kept.reserve(snapshot.set.workspaces.size());
  for (auto& ws : snapshot.set.workspaces) {
    auto meta = snapshot.meta.find({source::ObjectKind::kWorkspace, ws.key().ns, ws.key().name});
    if (meta != snapshot.meta.end() && meta->second.deleting) {
      out.deleting.insert(ws.key());
    } else {
      kept.push_back(std::move(ws));
    }
  }
  // An invalid object being deleted is still being deleted: its record
  // (if any) follows its deletionPolicy as recorded.
  for (const auto& invalid : snapshot.invalid) {
    if (invalid.ref.kind == source::ObjectKind::kWorkspace && invalid.meta.deleting) {
      out.deleting.insert({invalid.ref.ns, invalid.ref.name});
    }
  }
  snapshot.set.workspaces = std::move(kept);
  snapshot.set.drop_sources();  // no longer in step; the revision prints no position
  out.desired = std::make_shared<reconcile::DesiredState>(std::move(snapshot.set),
                                                          "kubernetes#" + std::to_string(number));
  out.desired->set_prunable(out.deleting);
  // The valid Workspaces are kept once, in the revision, not also decoded
  // in the object set.
  objects_.publish(std::shared_ptr<const manifest::ManifestSet>(out.desired, &out.desired->set()));
  out.invalid = std::move(snapshot.invalid);
  out.meta = std::move(snapshot.meta);
  return out;
}

void KubeSource::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Woken by every change and by each informer's sync (on_synced); the
    // 250 ms bound only limits how long a missed wake-up could cost.
    cv_.wait_for(lock, std::chrono::milliseconds(250),
                 [this] { return stopping_ || (changed_ && synced()); });
    if (stopping_) break;
    if (!changed_ || !synced()) continue;
    // Let a burst settle: one revision for many events. Not before the
    // first revision: the lists it follows are complete already, and every
    // Workspace waits for it.
    if (revisions_ > 0) {
      cv_.wait_for(lock, options_.debounce, [this] { return stopping_; });
      if (stopping_) break;
    }
    changed_ = false;
    bool first = revisions_ == 0;
    auto synced_at = std::chrono::steady_clock::now();
    lock.unlock();
    beat_.begin_turn();
    KubeRevision revision = build();
    if (first) log_first_revision(revision, synced_at);
    on_revision_(std::move(revision));
    beat_.end_turn();
    lock.lock();
  }
}

// How long the start took, and where: listing (the informers) or decoding
// (build). Once, at info level, as controller-runtime logs its cache sync.
void KubeSource::log_first_revision(const KubeRevision& revision,
                                    std::chrono::steady_clock::time_point synced_at) const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  auto now = std::chrono::steady_clock::now();
  observability::log_info(
      "caches synced",
      {{"workspaces", std::to_string(revision.desired->set().workspaces.size())},
       {"invalid", std::to_string(revision.invalid.size())},
       {"listedMs", std::to_string(duration_cast<milliseconds>(synced_at - started_).count())},
       {"builtMs", std::to_string(duration_cast<milliseconds>(now - synced_at).count())}});
}

}  // namespace wsop::runtime
