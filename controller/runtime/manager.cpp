#include "controller/runtime/manager.h"

#include <malloc.h>

#include <future>
#include <set>
#include <sstream>
#include <utility>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"
#include "controller/observability/logging.h"
#include "controller/reconcile/prune_guard.h"

namespace wsop::runtime {
namespace {

using observability::log_error;
using observability::log_info;
using observability::log_warn;

}  // namespace

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}

Manager::~Manager() {
  stop();
}

std::shared_ptr<const reconcile::DesiredState> Manager::desired() const {
  std::lock_guard lock(mu_);
  return desired_;
}

Status Manager::start() {
  auto store = open_state_store({options_.state_path, options_.init_state, /*read_only=*/false});
  if (!store) return store.status();
  metrics_ = std::make_unique<observability::Metrics>(std::max(1, options_.workers));
  metrics_->set_leader(true);  // one process per state store: it always leads
  events_ = std::make_unique<LogAndCount>(metrics_.get());
  CompositionOptions composition;
  composition.context = providers::ProviderContext{
      options_.instance_id, std::shared_ptr<http::RequestObserver>(metrics_.get(), [](auto*) {}),
      options_.credentials};
  composition.reconcile = options_.reconcile;
  composition.reconcile.plan.prune = options_.prune;
  // A resync reads fresh lists; between resyncs the cache is good enough.
  composition.reconcile.max_observation_age = options_.resync;
  parts_ = std::make_unique<Composition>(
      std::move(composition), std::move(*store), [this] { return desired(); }, events_.get());
  queue_ = std::make_unique<WorkQueue>(
      BackoffPolicy{}, metrics_.get(),
      [this](const std::string& key) { return provider_config_lane(desired().get(), key); });

  // The loops exist before the server answers /healthz about them.
  runner_ = std::make_unique<Runner>(parts_->reconciler(), *queue_,
                                     RunnerOptions{std::max(1, options_.workers), 0, true},
                                     metrics_.get());
  watcher_ = std::make_unique<manifest::SourceWatcher>(options_.sources, options_.source_poll,
                                                       [this] { on_source_change(); });
  resync_ = std::make_unique<ResyncTimer>(options_.resync, [this](bool requested) {
    log_info(requested ? "resync requested" : "resync");
    resync_once();
  });
  if (Status s = start_server(); !s.is_ok()) return s.with_context("metrics server");
  runner_->start();
  watcher_->start();
  resync_->start();
  log_info("controller started",
           {{"metrics", server_->url()},
            {"instanceId", options_.instance_id},
            {"workers", options_.workers > 0 ? std::to_string(options_.workers) : "auto"},
            {"maxConnections", std::to_string(server_->max_connections())}});
  return Status::ok();
}

// The endpoints must answer whatever the clients do (docs/OPERATIONS.md,
// "Health, limits and slow clients"): a probe gets through 1,000 slow ones.
Status Manager::start_server() {
  observability::EndpointContext endpoints;
  endpoints.metrics = metrics_.get();
  endpoints.store = &parts_->store();
  endpoints.queue = queue_.get();
  endpoints.ready = &ready_;
  endpoints.stalled = [this] { return stalled(); };
  endpoints.not_ready_reason = [this] { return not_ready_reason(); };
  server_ = make_endpoint_server(
      {options_.metrics_address, options_.metrics_port, options_.max_connections}, endpoints);
  return server_->start();
}

std::optional<std::string> Manager::stalled() const {
  std::vector<LoopTurn> loops;
  if (watcher_) loops.push_back({"the source loop", watcher_->heartbeat().turn_age()});
  if (resync_) loops.push_back({"the resync loop", resync_->heartbeat().turn_age()});
  if (runner_) loops.push_back({"a reconcile worker", runner_->longest_turn()});
  return first_stuck_loop(loops, options_.stall_timeout);
}

std::string Manager::not_ready_reason() const {
  std::lock_guard lock(mu_);
  if (load_error_.empty()) return "waiting for the first valid source revision";
  return "no valid source revision yet: " + load_error_;
}

// Joined off stop()'s thread: the watcher and the resync may be inside a
// provider list (attempts x request timeout), the workers inside reconciles.
void Manager::join_threads() {
  if (watcher_) watcher_->stop();
  if (resync_) resync_->join();
  if (runner_) runner_->stop();
}

// One deadline, taken first, bounds every wait: joining a thread stuck in a
// list must not hold back the grace timer. Past it, provider calls stop
// waiting in rate limits and retries; a request still blocked on its socket
// is abandoned (the journal keeps any create pending).
bool Manager::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return drained_;
    stopping_ = true;
  }
  cancel_load_ = true;
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  if (resync_) resync_->signal_stop();
  if (queue_) queue_->shut_down();  // no new work; in-flight reconciles go on
  bool drained = drain_until(
      deadline, [this] { join_threads(); },
      [this] {
        if (parts_) parts_->providers().stop_all();
      },
      stopper_);
  if (!drained) {
    if (server_) server_->stop();
    std::lock_guard lock(mu_);
    drained_ = false;
    return false;
  }
  if (server_) server_->stop();
  parts_.reset();  // closes the database cleanly
  log_info("controller stopped");
  return true;
}

uint16_t Manager::metrics_port() const {
  return server_ ? server_->port() : 0;
}

// The one prune guard (controller/reconcile/prune_guard.h), as apply
// --prune uses it; a refusal keeps the revision, without pruning.
bool Manager::prune_allowed(const reconcile::DesiredState& snapshot) {
  if (!options_.prune) return false;
  auto count = reconcile::count_prune(parts_->store(), snapshot, options_.instance_id);
  if (!count) {
    log_warn("prune guard could not count the records: not pruning",
             {{"error", count.status().message()}});
    return false;
  }
  auto refusal = reconcile::prune_refusal(*count, {options_.max_prune_percent, /*force=*/false});
  if (refusal) {
    log_warn("prune refused: " + *refusal,
             {{"wouldDelete", std::to_string(count->leaving)},
              {"managed", std::to_string(count->managed)},
              {"maxPrunePercent", std::to_string(options_.max_prune_percent)}});
    return false;
  }
  return true;
}

void Manager::on_source_change() {
  auto revision = manifest::revision_of(options_.sources);
  std::string name = revision ? *revision : "unknown";
  std::istringstream no_stdin;
  manifest::LoadOptions load_options;
  load_options.cancel = &cancel_load_;
  load_options.credentials = options_.credentials;
  manifest::LoadResult loaded = manifest::load_manifests(options_.sources, no_stdin, load_options);
  if (cancel_load_) return;  // stopping: a partial set is no revision
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors)
      log_error("invalid manifest", {{"error", error.to_string()}});
    log_error(ready_ ? "source revision is invalid; keeping the last good one"
                     : "source revision is invalid; not ready until a valid one loads",
              {{"revision", name}, {"errors", std::to_string(loaded.errors.size())}});
    metrics_->set_source(name, false);
    std::lock_guard lock(mu_);
    load_error_ = loaded.errors.front().to_string();
    if (loaded.errors.size() > 1)
      load_error_ += " (and " + std::to_string(loaded.errors.size() - 1) + " more errors)";
    return;
  }
  for (const auto& [config, status] : parts_->providers().update(loaded.set.provider_configs)) {
    log_error("provider unavailable", {{"providerConfig", config}, {"error", status.message()}});
  }
  size_workers(options_.workers, loaded.set, *runner_, *metrics_);
  // Positions served the messages above; the revision, kept until the next,
  // needs none.
  loaded.set.drop_sources();
  auto snapshot = std::make_shared<reconcile::DesiredState>(std::move(loaded.set), name);
  snapshot->set_prune_allowed(prune_allowed(*snapshot));
  std::shared_ptr<const reconcile::DesiredState> previous;
  {
    std::lock_guard lock(mu_);
    previous = desired_;
    desired_ = snapshot;
    load_error_.clear();
  }
  // A record for whoever reads the store; the revision itself is loaded and
  // served either way, but a store refusing writes must not pass unseen.
  if (Status recorded = parts_->store().set_meta("source.revision", name); !recorded) {
    log_warn("source revision not recorded in the state store",
             {{"revision", name}, {"error", recorded.message()}});
  }
  metrics_->set_source(name, true);
  log_info("source revision loaded",
           {{"revision", name}, {"workspaces", std::to_string(snapshot->set().workspaces.size())}});
  // A new revision is reconciled against a fresh observation: a changed
  // manifest (a new reconcile-requested-at among them) must not be compared
  // with a list up to --resync old. The changed workspaces go first; the
  // sweep of all of them waits behind any other work (the first revision
  // has nothing to compare with: all of it is the sweep).
  ready_ = true;
  observe_all(*snapshot);
  if (previous) {
    for (const auto& key : changed_keys(previous.get(), *snapshot)) queue_->add(key);
  }
  enqueue_all();
}

std::vector<std::string> Manager::changed_keys(const reconcile::DesiredState* previous,
                                               const reconcile::DesiredState& current) {
  std::vector<std::string> out;
  for (const auto& ws : current.set().workspaces) {
    const model::Workspace* before = previous ? previous->find(ws.key()) : nullptr;
    bool changed = !before || before->annotations != ws.annotations ||
                   manifest::desired_digest(*before) != manifest::desired_digest(ws);
    if (!changed) continue;
    out.push_back(ws.key().to_string());
    auto requested = ws.annotations.find(model::kAnnotationReconcileRequestedAt);
    if (before && requested != ws.annotations.end()) {
      auto was = before->annotations.find(model::kAnnotationReconcileRequestedAt);
      if (was == before->annotations.end() || was->second != requested->second) {
        log_info("reconcile requested",
                 {{"workspace", ws.key().to_string()}, {"requestedAt", requested->second}});
      }
    }
  }
  return out;
}

void Manager::enqueue_all() {
  auto snapshot = desired();
  if (!snapshot) return;
  for (const auto& ws : snapshot->set().workspaces) {
    queue_->add(ws.key().to_string(), Priority::kLow);
  }
  if (auto records = parts_->store().keys()) {
    for (const auto& r : *records) queue_->add(r.key.to_string(), Priority::kLow);
  }
#if defined(__GLIBC__)
  // The lists and records of a resync are garbage now: hand the pages back
  // instead of keeping the process at its peak until the next one.
  malloc_trim(0);
#endif
}

void Manager::observe_all(const reconcile::DesiredState& snapshot) {
  observe_accounts(parts_->providers(), parts_->cache(), snapshot, [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  });
}

void Manager::resync_once() {
  auto snapshot = desired();
  if (!snapshot) return;
  observe_all(*snapshot);
  enqueue_all();
}

void Manager::request_resync() {
  if (resync_) resync_->request();
}

}  // namespace wsop::runtime
