#include "controller/observability/metrics.h"

#include <prometheus/text_serializer.h>

#include "common/version.h"
#include "controller/observability/process_metrics.h"

namespace wsop::observability {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

const prometheus::Labels kController = {{"controller", "workspace"}};
// controller-runtime (since v0.15) labels its workqueue metrics with the
// controller's name twice: `name` as client-go does, and `controller`.
const prometheus::Labels kQueue = {{"name", "workspace"}, {"controller", "workspace"}};

// controller-runtime's reconcile_time_seconds buckets.
Histogram::BucketBoundaries reconcile_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
}

// controller-runtime's workqueue buckets, prometheus.ExponentialBuckets(10e-9,
// 10, 12): 10ns to 1000s. Computed as Go does, so the le values are equal.
Histogram::BucketBoundaries queue_buckets() {
  Histogram::BucketBoundaries out;
  double bound = 10e-9;
  for (int i = 0; i < 12; ++i, bound *= 10) out.push_back(bound);
  return out;
}

Histogram::BucketBoundaries request_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace

Metrics::Metrics(int max_concurrent_reconciles)
    : registry_(std::make_shared<prometheus::Registry>()),
      reconcile_total_(BuildCounter()
                           .Name("controller_runtime_reconcile_total")
                           .Help("Total number of reconciliations per controller")
                           .Register(*registry_)),
      reconcile_errors_(BuildCounter()
                            .Name("controller_runtime_reconcile_errors_total")
                            .Help("Total number of reconciliation errors per controller")
                            .Register(*registry_)
                            .Add(kController)),
      reconcile_time_(BuildHistogram()
                          .Name("controller_runtime_reconcile_time_seconds")
                          .Help("Length of time per reconciliation per controller")
                          .Register(*registry_)
                          .Add(kController, reconcile_buckets())),
      active_workers_(BuildGauge()
                          .Name("controller_runtime_active_workers")
                          .Help("Number of currently used workers per controller")
                          .Register(*registry_)
                          .Add(kController)),
      depth_(BuildGauge()
                 .Name("workqueue_depth")
                 .Help("Current depth of workqueue")
                 .Register(*registry_)
                 .Add(kQueue)),
      adds_(BuildCounter()
                .Name("workqueue_adds_total")
                .Help("Total number of adds handled by workqueue")
                .Register(*registry_)
                .Add(kQueue)),
      retries_(BuildCounter()
                   .Name("workqueue_retries_total")
                   .Help("Total number of retries handled by workqueue")
                   .Register(*registry_)
                   .Add(kQueue)),
      queue_duration_(
          BuildHistogram()
              .Name("workqueue_queue_duration_seconds")
              .Help("How long in seconds an item stays in workqueue before being requested")
              .Register(*registry_)
              .Add(kQueue, queue_buckets())),
      work_duration_(BuildHistogram()
                         .Name("workqueue_work_duration_seconds")
                         .Help("How long in seconds processing an item from workqueue takes")
                         .Register(*registry_)
                         .Add(kQueue, queue_buckets())),
      unfinished_(
          BuildGauge()
              .Name("workqueue_unfinished_work_seconds")
              .Help("How many seconds of work has been done that is in progress and hasn't been "
                    "observed by work_duration")
              .Register(*registry_)
              .Add(kQueue)),
      longest_(
          BuildGauge()
              .Name("workqueue_longest_running_processor_seconds")
              .Help("How many seconds has the longest running processor for workqueue been running")
              .Register(*registry_)
              .Add(kQueue)),
      provider_requests_(
          BuildCounter()
              .Name("workspace_operator_provider_requests_total")
              .Help("Requests sent to providers, by ProviderConfig, operation and HTTP "
                    "status code (0: no answer)")
              .Register(*registry_)),
      provider_duration_(BuildHistogram()
                             .Name("workspace_operator_provider_request_duration_seconds")
                             .Help("Duration of provider requests")
                             .Register(*registry_)),
      provider_rate_(BuildGauge()
                         .Name("workspace_operator_provider_rate_limit_qps")
                         .Help("Requests per second a ProviderConfig's bucket grants now: its "
                               "rateLimit.qps, lowered while the provider answers 429")
                         .Register(*registry_)),
      workspaces_(BuildGauge()
                      .Name("workspace_operator_workspaces")
                      .Help("Managed workspaces by ProviderConfig and Ready/Synced condition")
                      .Register(*registry_)),
      drift_corrections_(BuildCounter()
                             .Name("workspace_operator_drift_corrections_total")
                             .Help("Remote changes undone to match the manifests")
                             .Register(*registry_)
                             .Add({})),
      revision_info_(BuildGauge()
                         .Name("workspace_operator_source_revision_info")
                         .Help("The source revision being reconciled (value 1)")
                         .Register(*registry_)),
      source_valid_(BuildGauge()
                        .Name("workspace_operator_source_valid")
                        .Help("1 when the newest source revision loaded and validated, else 0")
                        .Register(*registry_)
                        .Add({})),
      pending_unresolved_(
          BuildGauge()
              .Name("workspace_operator_create_pending_unresolved")
              .Help("Workspaces whose lost create needs a person (wsctl import/forget)")
              .Register(*registry_)
              .Add({})),
      leader_(BuildGauge()
                  .Name("workspace_operator_leader")
                  .Help("1 while this replica leads (holds the Lease, or runs without leader "
                        "election), else 0")
                  .Register(*registry_)
                  .Add({})) {
  max_concurrent_ = &BuildGauge()
                         .Name("controller_runtime_max_concurrent_reconciles")
                         .Help("Maximum number of concurrent reconciles per controller")
                         .Register(*registry_)
                         .Add(kController);
  max_concurrent_->Set(max_concurrent_reconciles);
  BuildGauge()
      .Name("workspace_operator_build_info")
      .Help("Version and git revision of the build")
      .Register(*registry_)
      .Add({{"version", kVersion}, {"revision", kGitRevision}})
      .Set(1);
  for (const char* result : {"success", "error", "requeue", "requeue_after"}) {
    reconcile_results_[result] =
        &reconcile_total_.Add({{"controller", "workspace"}, {"result", result}});
  }
}

void Metrics::on_add() {
  adds_.Increment();
}
void Metrics::on_retry() {
  retries_.Increment();
}
void Metrics::on_depth(size_t depth) {
  depth_.Set(static_cast<double>(depth));
}
void Metrics::on_start(std::chrono::duration<double> waited) {
  queue_duration_.Observe(waited.count());
}
void Metrics::on_done(std::chrono::duration<double> worked) {
  work_duration_.Observe(worked.count());
}
void Metrics::set_max_concurrent_reconciles(int workers) {
  max_concurrent_->Set(workers);
}

void Metrics::on_active_workers(int active) {
  active_workers_.Set(active);
}

void Metrics::on_reconciled(const std::string&, const Status& status,
                            std::chrono::duration<double> seconds, bool requeued) {
  reconcile_time_.Observe(seconds.count());
  const char* result = !status.is_ok() ? "error" : requeued ? "requeue_after" : "success";
  reconcile_results_.at(result)->Increment();
  if (!status.is_ok()) reconcile_errors_.Increment();
}

void Metrics::on_rate_limit(const std::string& provider, double qps) {
  std::lock_guard lock(mu_);
  auto& gauge = rate_gauges_[provider];
  if (!gauge) gauge = &provider_rate_.Add({{"provider", provider}});
  gauge->Set(qps);
}

void Metrics::on_attempt(const std::string& provider, const std::string& operation, int code,
                         std::chrono::duration<double> seconds) {
  // Family::Add builds a metric before it looks for an existing one, so the
  // children are remembered here instead of added on every request.
  std::string code_text = std::to_string(code);
  std::string key = provider + '\0' + operation;
  std::lock_guard lock(mu_);
  auto& counter = request_counters_[key + '\0' + code_text];
  if (!counter) {
    counter = &provider_requests_.Add(
        {{"provider", provider}, {"operation", operation}, {"code", code_text}});
  }
  auto& histogram = request_histograms_[key];
  if (!histogram) {
    histogram = &provider_duration_.Add({{"provider", provider}, {"operation", operation}},
                                        request_buckets());
  }
  counter->Increment();
  histogram->Observe(seconds.count());
}

void Metrics::on_event(const reconcile::Event& event) {
  if (event.type == reconcile::EventType::kDriftCorrected) drift_corrections_.Increment();
}

void Metrics::set_leader(bool leading) {
  leader_.Set(leading ? 1 : 0);
}

void Metrics::set_source(const std::string& revision, bool valid) {
  std::lock_guard lock(mu_);
  source_valid_.Set(valid ? 1 : 0);
  if (!valid || revision == revision_) return;
  if (!revision_.empty()) revision_info_.Remove(&revision_info_.Add({{"revision", revision_}}));
  revision_info_.Add({{"revision", revision}}).Set(1);
  revision_ = revision;
}

void Metrics::refresh_workspaces(state::StateStore& store) {
  auto rows = store.count_by_condition();
  if (!rows) return;
  std::map<std::string, double> counts;
  double unresolved = 0;
  for (const auto& row : *rows) {
    std::string key = row.provider_config + '\0' + model::to_string(row.ready) + '\0' +
                      model::to_string(row.synced);
    counts[key] += static_cast<double>(row.records);
    unresolved += static_cast<double>(row.unresolved);
  }
  std::lock_guard lock(mu_);
  for (auto& [key, gauge] : workspace_gauges_) gauge->Set(counts.count(key) ? counts[key] : 0);
  for (const auto& [key, count] : counts) {
    if (workspace_gauges_.count(key)) continue;
    size_t a = key.find('\0'), b = key.find('\0', a + 1);
    workspace_gauges_[key] = &workspaces_.Add({{"provider", key.substr(0, a)},
                                               {"ready", key.substr(a + 1, b - a - 1)},
                                               {"synced", key.substr(b + 1)}});
    workspace_gauges_[key]->Set(count);
  }
  pending_unresolved_.Set(unresolved);
}

std::string Metrics::scrape(state::StateStore* store, const runtime::WorkQueue* queue) {
  if (store) refresh_workspaces(*store);
  if (queue) {
    auto [total, longest] = queue->unfinished_work();
    unfinished_.Set(total);
    longest_.Set(longest);
    depth_.Set(static_cast<double>(queue->depth()));
  }
  auto families = registry_->Collect();
  for (auto& family : process_.Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace wsop::observability
