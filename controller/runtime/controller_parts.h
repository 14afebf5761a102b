// The parts both controllers are made of (controller/runtime/manager.h for
// files and git, kube_manager.h for the Kubernetes API): the event sink that
// logs and counts, the one list per account a revision or a resync starts
// from, the endpoint server, and the resync timer. One copy, so the two
// modes cannot drift apart in what they observe, expose or count.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/heartbeat.h"
#include "common/http/server.h"
#include "controller/observability/endpoints.h"
#include "controller/observability/logging.h"
#include "controller/observability/metrics.h"
#include "controller/reconcile/desired_state.h"
#include "controller/reconcile/observed_cache.h"
#include "controller/reconcile/provider_set.h"
#include "controller/runtime/runner.h"

namespace wsop::runtime {

// Events go to the log and to the metrics.
class LogAndCount : public reconcile::EventSink {
 public:
  explicit LogAndCount(observability::Metrics* metrics) : metrics_(metrics) {}
  void on_event(const reconcile::Event& event) override {
    log_.on_event(event);
    metrics_->on_event(event);
  }

 private:
  observability::LogEvents log_;
  observability::Metrics* metrics_;
};

// With --workers unset (`requested` 0), raises the runner's workers to what
// `set`'s ProviderConfigs need (worker_sizing.h) and says so in the log and
// the max-concurrent-reconciles gauge; never lowers them.
void size_workers(int requested, const manifest::ManifestSet& set, Runner& runner,
                  observability::Metrics& metrics);

// The work queue's lane of a workspace key (controller/runtime/work_queue.h):
// the ProviderConfig the current revision gives it, so that each account's
// rate limit holds only its share of the workers. "" when the key is not in
// the revision (a deletion): those share one lane.
std::string provider_config_lane(const reconcile::DesiredState* desired, const std::string& key);

// One paginated list per named ProviderConfig, all at once, each within its
// own rate limit: `scope` gives the desired workspaces a list must cover
// (Provider::list), `on_listed` gets each answer with the time its list
// started (on the cache's clock, for ObservedCache::put_list). Failures are
// returned by name; a name without a provider is skipped. `stopping` (may
// be empty) is asked before each account: a stop starts no new list. What
// the controllers' observe_accounts and wsctl's one-shot lists share.
using ListScope = std::function<std::vector<const model::Workspace*>(const std::string&)>;
using OnListed = std::function<void(const std::string&, std::vector<providers::RemoteWorkspace>,
                                    reconcile::ObservedCache::TimePoint started)>;
std::map<std::string, Status> list_accounts(reconcile::ProviderSet& providers,
                                            const std::vector<std::string>& names,
                                            const Clock& clock, const ListScope& scope,
                                            const OnListed& on_listed,
                                            const std::function<bool()>& stopping = {});

// One paginated list per ProviderConfig (ARCHITECTURE.md section 5): what
// the reconciles that follow compare with. The accounts are listed at the
// same time, each within its own rate limit. A list that fails leaves the
// cache as it was; the reconciler then GETs what it needs. `stopping` is
// asked before each account: a stop starts no new list.
void observe_accounts(reconcile::ProviderSet& providers, reconcile::ObservedCache& cache,
                      const reconcile::DesiredState& snapshot,
                      const std::function<bool()>& stopping);

struct EndpointServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;
  std::size_t max_connections = 256;
};

// The server of /metrics, /healthz, /readyz and the status API, with the
// limits that let a probe through 1,000 slow clients (docs/OPERATIONS.md,
// "Health, limits and slow clients"). Not started.
std::unique_ptr<http::Server> make_endpoint_server(const EndpointServerOptions& options,
                                                   observability::EndpointContext endpoints);

// The drain both managers' stop() runs: `join` (stop the loops, wait for
// in-flight reconciles) on `stopper`; past `deadline`, `interrupt` (cut
// provider and API calls) and a second's margin for them to unwind. False
// when a call is still blocked then: `stopper` is detached and still runs
// inside the manager, so the caller must end the process without
// destroying it (the create journal resolves an unanswered create).
bool drain_until(std::chrono::steady_clock::time_point deadline, std::function<void()> join,
                 const std::function<void()>& interrupt, std::thread& stopper);

// /healthz's reason: the first of `loops` (name, age of its current turn)
// stuck in one turn for longer than `limit` (0: never stuck), naming it;
// nothing when every loop turns.
struct LoopTurn {
  const char* loop;
  Heartbeat::Clock::duration age;
};
std::optional<std::string> first_stuck_loop(const std::vector<LoopTurn>& loops,
                                            std::chrono::milliseconds limit);

// Calls `resync` every `period` (jittered +-10%, so replicas and accounts
// do not move in step) and at once on request(); on its own thread, one
// call at a time. stop() waits for a call under way.
class ResyncTimer {
 public:
  ResyncTimer(std::chrono::milliseconds period, std::function<void(bool requested)> resync);
  ~ResyncTimer();  // stop()
  ResyncTimer(const ResyncTimer&) = delete;
  ResyncTimer& operator=(const ResyncTimer&) = delete;

  void start();
  void request();
  // Tells the loop to end (a call under way finishes); join() waits.
  void signal_stop();
  void join();
  void stop() {
    signal_stop();
    join();
  }
  const Heartbeat& heartbeat() const { return beat_; }

 private:
  void run();

  const std::chrono::milliseconds period_;
  const std::function<void(bool)> resync_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;   // guarded by mu_
  bool requested_ = false;  // guarded by mu_
  Heartbeat beat_;
  std::thread thread_;
};

}  // namespace wsop::runtime
