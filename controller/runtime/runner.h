// Runs reconciles from a WorkQueue on N worker threads. `wsctl apply` runs
// a fixed set of keys until the queue is idle (or a deadline passes);
// `wsctl controller` keeps it running and feeds it from sources and resync
// timers. Errors are retried with the queue's per-item backoff; a
// requeue-after is honoured when the runner is told to follow it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/heartbeat.h"
#include "controller/reconcile/reconciler.h"
#include "controller/runtime/work_queue.h"

namespace wsop::runtime {

struct RunnerOptions {
  int workers = 4;
  // Give up on an item after this many failed attempts in a row (0: never).
  int max_failures = 0;
  // Follow requeue-after while a provider provisions; off for an apply
  // without --wait. Other requeues (resolving a lost create) are followed.
  bool follow_provisioning = true;
};

// Told about each finished reconcile (metrics, progress).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_reconciled(const std::string& key, const Status& status,
                             std::chrono::duration<double> seconds, bool requeued) = 0;
  virtual void on_given_up(const std::string& key, const Status& last) { (void)key, (void)last; }
  virtual void on_active_workers(int active) { (void)active; }
};

class Runner {
 public:
  Runner(reconcile::Reconciler& reconciler, WorkQueue& queue, RunnerOptions options,
         RunObserver* observer = nullptr);
  ~Runner();

  void start();
  // Stops taking work; waits for in-flight reconciles to finish.
  void stop();

  // Raises the number of workers to `workers` (never lowers it: a worker
  // in a reconcile cannot be taken back, and an idle one costs a parked
  // thread). Before start() it only sets how many start; after stop(),
  // nothing. The controller sizes itself this way from each revision's
  // ProviderConfigs when --workers is not given (worker_sizing.h).
  void grow_to(int workers);
  int workers() const;

  // The age of the longest reconcile under way (zero when every worker
  // waits for work): /healthz's measure of a stuck worker.
  Heartbeat::Clock::duration longest_turn() const;

 private:
  void work(Heartbeat& beat);
  void process(const std::string& key);

  reconcile::Reconciler& reconciler_;
  WorkQueue& queue_;
  RunnerOptions options_;
  RunObserver* observer_;
  mutable std::mutex mu_;  // guards threads_, beats_, started_, stopped_
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<Heartbeat>> beats_;  // one per worker, made once
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<int> active_{0};
};

// The work queue's keys are WorkspaceKey::to_string(); a key that does not
// parse (none is queued) is no Workspace.
std::optional<model::WorkspaceKey> queued_key(const std::string& text);

}  // namespace wsop::runtime
