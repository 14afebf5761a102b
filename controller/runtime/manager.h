// The long-running controller (`wsctl controller`), shaped like
// controller-runtime's Manager: it owns the sources, the work queue and its
// workers, the resync timer, the state store and the metrics server, starts
// them in order and stops them in reverse on a signal.
//   - A new source revision is loaded and validated whole; an invalid one is
//     reported and the last good one keeps being reconciled.
//   - Every --resync (jittered +-10%) each ProviderConfig is listed once and
//     every workspace requeued, so drift is corrected from the fresh list.
//   - Stop: take no new work, let in-flight reconciles (and a list the
//     watcher or resync is in) finish within the grace period, interrupt
//     provider calls when it is over, close the state store. A source load
//     under way is cancelled at once.
//   - Health (/healthz): 503 once the source loop, the resync loop or a
//     reconcile worker has been inside one turn for longer than
//     --stall-timeout; waiting for work is no turn (common/heartbeat.h).
//     Readiness (/readyz): 503 with the reason until a revision loads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/http/server.h"
#include "controller/manifest/source.h"
#include "controller/observability/metrics.h"
#include "controller/reconcile/reconciler.h"
#include "controller/runtime/composition.h"
#include "controller/runtime/controller_parts.h"
#include "controller/runtime/runner.h"
#include "providers/http/credential_policy.h"

namespace wsop::runtime {

struct ManagerOptions {
  std::vector<std::string> sources;
  std::string state_path = "./.wsctl/state.db";
  bool init_state = false;  // start a new store over an empty or tableless file
  // Concurrent reconciles; 0: enough for the ProviderConfigs' rate limits,
  // raised as they change (controller_parts.h, size_workers).
  int workers = 0;
  std::chrono::milliseconds resync{std::chrono::minutes(10)};
  std::string metrics_address = "0.0.0.0";
  uint16_t metrics_port = 8080;
  std::string instance_id = "default";
  bool prune = false;
  int max_prune_percent = 50;
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(30)};
  std::chrono::milliseconds source_poll{std::chrono::seconds(10)};
  // A loop inside one turn for longer than this makes /healthz answer 503
  // (0: never). Longer than a slow provider's list or reconcile (attempts x
  // request timeout) may take: a liveness probe must not restart a
  // controller that waits on a slow provider.
  std::chrono::milliseconds stall_timeout{std::chrono::minutes(10)};
  // Connections the metrics server serves at once (common/http/server.h).
  std::size_t max_connections = 256;
  reconcile::ReconcileOptions reconcile;
  // --credentials-dir, --credentials-env-pattern: a revision naming a
  // refused credential is invalid (kept out, its errors logged), and no
  // provider is made with one.
  http::CredentialPolicy credentials;
};

class Manager {
 public:
  explicit Manager(ManagerOptions options);
  ~Manager();

  // Opens the state store, starts the metrics server, the workers, the
  // source watcher and the resync timer.
  Status start();
  // Stops everything within the grace period (plus a short margin for
  // interrupted provider calls to return). Idempotent. False when a call is
  // still blocked on a socket after that: its thread still runs inside this
  // Manager, so the caller must exit the process without destroying it (the
  // create journal resolves an unanswered create at the next start).
  bool stop();
  // Resyncs now instead of at the next period (SIGHUP): one list per
  // ProviderConfig, then every workspace is reconciled against it.
  void request_resync();

  uint16_t metrics_port() const;
  // The workspaces of `current` whose manifest differs from `previous`'s
  // (spec digest or annotations): reconciled first.
  static std::vector<std::string> changed_keys(const reconcile::DesiredState* previous,
                                               const reconcile::DesiredState& current);
  bool ready() const { return ready_; }
  // Why /healthz fails: the loop stuck in one turn, for how long; nothing
  // when every loop turns.
  std::optional<std::string> stalled() const;
  // Why /readyz fails before the first revision loads.
  std::string not_ready_reason() const;

 private:
  Status start_server();
  void on_source_change();
  void enqueue_all();
  void observe_all(const reconcile::DesiredState& snapshot);
  void join_threads();
  void resync_once();
  bool prune_allowed(const reconcile::DesiredState& snapshot);
  std::shared_ptr<const reconcile::DesiredState> desired() const;

  ManagerOptions options_;
  std::unique_ptr<observability::Metrics> metrics_;
  std::unique_ptr<reconcile::EventSink> events_;
  // The state store, providers, cache and reconciler (composition.h).
  std::unique_ptr<Composition> parts_;
  std::unique_ptr<WorkQueue> queue_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<manifest::SourceWatcher> watcher_;
  std::unique_ptr<ResyncTimer> resync_;
  std::thread stopper_;  // joins the others, so that stop() can give up on them

  mutable std::mutex mu_;
  std::shared_ptr<const reconcile::DesiredState> desired_;
  std::string content_revision_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> cancel_load_{false};  // set by stop(): a load under way ends early
  std::string load_error_;                // the last failed load's first error; guarded by mu_
  bool stopping_ = false;
  bool drained_ = true;  // the result of stop()
};

}  // namespace wsop::runtime
