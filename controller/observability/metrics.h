// The controller's Prometheus metrics (ARCHITECTURE.md section 7), with
// controller-runtime's names, types, labels and buckets so existing
// dashboards and alerts work, plus the operator's own. One registry per
// controller (no global), serialised by our own HTTP server. No label ever
// carries a workspace name or a token: provider labels are ProviderConfig
// names, operations are verbs.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "controller/observability/process_metrics.h"
#include "controller/reconcile/events.h"
#include "controller/runtime/runner.h"
#include "controller/runtime/work_queue.h"
#include "controller/state/state_store.h"
#include "providers/http/client.h"

namespace wsop::observability {

class Metrics : public runtime::QueueObserver,
                public runtime::RunObserver,
                public http::RequestObserver,
                public reconcile::EventSink {
 public:
  explicit Metrics(int max_concurrent_reconciles);

  // The text exposition format, after refreshing the gauges computed on
  // scrape (process, workspaces by condition, unfinished work).
  std::string scrape(state::StateStore* store, const runtime::WorkQueue* queue);

  void set_source(const std::string& revision, bool valid);
  // controller_runtime_max_concurrent_reconciles, when the worker count
  // grows with the ProviderConfigs (runtime::Runner::grow_to).
  void set_max_concurrent_reconciles(int workers);
  // workspace_operator_leader: 1 while this replica holds the Lease (or
  // runs without leader election), 0 while it stands by.
  void set_leader(bool leading);

  // QueueObserver
  void on_add() override;
  void on_retry() override;
  void on_depth(size_t depth) override;
  void on_start(std::chrono::duration<double> waited) override;
  void on_done(std::chrono::duration<double> worked) override;
  // RunObserver
  void on_reconciled(const std::string& key, const Status& status,
                     std::chrono::duration<double> seconds, bool requeued) override;
  void on_active_workers(int active) override;
  // http::RequestObserver
  void on_attempt(const std::string& provider, const std::string& operation, int code,
                  std::chrono::duration<double> seconds) override;
  void on_rate_limit(const std::string& provider, double qps) override;
  // EventSink
  void on_event(const reconcile::Event& event) override;

  prometheus::Registry& registry() { return *registry_; }

 private:
  void refresh_workspaces(state::StateStore& store);

  std::shared_ptr<prometheus::Registry> registry_;
  ProcessMetrics process_;  // collected beside the registry at scrape time
  // controller-runtime
  prometheus::Family<prometheus::Counter>& reconcile_total_;
  prometheus::Counter& reconcile_errors_;
  prometheus::Histogram& reconcile_time_;
  prometheus::Gauge& active_workers_;
  // workqueue
  prometheus::Gauge& depth_;
  prometheus::Counter& adds_;
  prometheus::Counter& retries_;
  prometheus::Histogram& queue_duration_;
  prometheus::Histogram& work_duration_;
  prometheus::Gauge& unfinished_;
  prometheus::Gauge& longest_;
  // ours
  prometheus::Family<prometheus::Counter>& provider_requests_;
  prometheus::Family<prometheus::Histogram>& provider_duration_;
  prometheus::Family<prometheus::Gauge>& provider_rate_;
  prometheus::Family<prometheus::Gauge>& workspaces_;
  prometheus::Counter& drift_corrections_;
  prometheus::Family<prometheus::Gauge>& revision_info_;
  prometheus::Gauge& source_valid_;
  prometheus::Gauge& pending_unresolved_;
  prometheus::Gauge& leader_;
  prometheus::Gauge* max_concurrent_ = nullptr;

  std::mutex mu_;  // guards the families whose label sets change
  std::string revision_;
  std::map<std::string, prometheus::Gauge*> workspace_gauges_;
  std::map<std::string, prometheus::Counter*> reconcile_results_;  // filled once, then read-only
  std::map<std::string, prometheus::Counter*> request_counters_;
  std::map<std::string, prometheus::Histogram*> request_histograms_;
  std::map<std::string, prometheus::Gauge*> rate_gauges_;
};

}  // namespace wsop::observability
