#include "controller/observability/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wsop::observability {
namespace {

prometheus::MetricFamily gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// Fields of /proc/self/stat after the command name.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  std::istringstream rest(close == std::string::npos ? "" : text.substr(close + 2));
  std::vector<std::string> fields;
  std::string field;
  while (rest >> field) fields.push_back(field);
  return fields;
}

}  // namespace

ProcessMetrics::ProcessMetrics()
    : start_time_seconds_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  auto fields = stat_fields();
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // Field numbers in proc(5), minus 3 for pid, comm and state's offset.
  if (fields.size() > 21) {
    double cpu = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
    out.push_back(gauge("process_cpu_seconds_total",
                        "Total user and system CPU time spent in seconds.", cpu,
                        prometheus::MetricType::Counter));
    out.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        std::stod(fields[20])));
    out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                        std::stod(fields[21]) * page));
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  out.push_back(gauge("process_open_fds", "Number of open file descriptors.", fds));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(limit.rlim_cur)));
  }
  out.push_back(gauge("process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.",
                      start_time_seconds_));
  return out;
}

}  // namespace wsop::observability
