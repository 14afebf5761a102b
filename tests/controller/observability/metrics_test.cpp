// The workqueue_* metrics as controller-runtime exports them: labels `name`
// and `controller` (both the controller's name) and its duration buckets,
// prometheus.ExponentialBuckets(10e-9, 10, 12), so dashboards and alerts
// written for controller-runtime operators work unchanged.
#include "controller/observability/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <sstream>

namespace wsop::observability {
namespace {

// The lines of a scrape that start with `name{`.
std::vector<std::string> samples(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(WorkqueueMetrics, CarryNameAndControllerLabels) {
  Metrics metrics(4);
  metrics.on_add();
  metrics.on_retry();
  metrics.on_depth(3);
  metrics.on_start(std::chrono::milliseconds(5));
  metrics.on_done(std::chrono::milliseconds(7));
  std::string text = metrics.scrape(nullptr, nullptr);
  for (const char* name :
       {"workqueue_depth", "workqueue_adds_total", "workqueue_retries_total",
        "workqueue_queue_duration_seconds_count", "workqueue_work_duration_seconds_count",
        "workqueue_unfinished_work_seconds", "workqueue_longest_running_processor_seconds"}) {
    auto lines = samples(text, name);
    ASSERT_EQ(lines.size(), 1u) << name << "\n" << text;
    EXPECT_NE(lines[0].find("name=\"workspace\""), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("controller=\"workspace\""), std::string::npos) << lines[0];
  }
  EXPECT_NE(text.find("workqueue_adds_total{controller=\"workspace\",name=\"workspace\"} 1"),
            std::string::npos)
      << text;
}

TEST(WorkqueueMetrics, DurationBucketsAreControllerRuntimes) {
  Metrics metrics(4);
  metrics.on_start(std::chrono::seconds(500));  // past the old 10s top bucket
  std::string text = metrics.scrape(nullptr, nullptr);
  for (const char* name :
       {"workqueue_queue_duration_seconds_bucket", "workqueue_work_duration_seconds_bucket"}) {
    std::vector<double> bounds, counts;
    std::regex le("le=\"([^\"]+)\"\\S* (\\S+)$");
    for (const auto& line : samples(text, name)) {
      std::smatch m;
      ASSERT_TRUE(std::regex_search(line, m, le)) << line;
      if (m[1] == "+Inf") continue;
      bounds.push_back(std::stod(m[1]));
      counts.push_back(std::stod(m[2]));
    }
    ASSERT_EQ(bounds.size(), 12u) << name << "\n" << text;
    for (size_t i = 0; i < bounds.size(); ++i) {
      double want = 1e-8 * std::pow(10.0, static_cast<double>(i));
      EXPECT_NEAR(bounds[i] / want, 1.0, 1e-9) << name << " bucket " << i;
    }
    bool queue = std::string(name).find("queue_duration") != std::string::npos;
    EXPECT_EQ(counts.back(), queue ? 1 : 0) << "500s falls in the 1000s bucket";
    EXPECT_EQ(counts[counts.size() - 2], 0);
  }
}

}  // namespace
}  // namespace wsop::observability
