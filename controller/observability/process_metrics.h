// The standard process_* metrics (as Prometheus' Go and Python clients
// export them), read from /proc at scrape time.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace wsop::observability {

class ProcessMetrics : public prometheus::Collectable {
 public:
  ProcessMetrics();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double start_time_seconds_;
};

}  // namespace wsop::observability
