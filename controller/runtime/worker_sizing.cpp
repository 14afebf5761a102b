#include "controller/runtime/worker_sizing.h"

#include <algorithm>
#include <cmath>

namespace wsop::runtime {

int workers_for(const manifest::ManifestSet& set, size_t planned) {
  constexpr double kRoundTripSeconds = 0.2, kHeadroom = 1.5;
  double needed = 0;
  for (const auto& config : set.provider_configs) {
    needed += config.rate_limit.qps * kRoundTripSeconds * kHeadroom;
  }
  double capped =
      std::min({std::ceil(needed), static_cast<double>(kMaxWorkers), static_cast<double>(planned)});
  return std::clamp(static_cast<int>(capped), 1, kMaxWorkers);
}

}  // namespace wsop::runtime
