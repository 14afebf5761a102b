#include "sim/core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace wsop::sim {

void TokenBucket::set_rate(double rps, Clock::time_point now) {
  rps_ = rps;
  tokens_ = std::max(1.0, rps);
  last_ = now;
}

std::optional<std::chrono::seconds> TokenBucket::take(Clock::time_point now) {
  if (rps_ <= 0) return std::nullopt;
  double capacity = std::max(1.0, rps_);
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity, tokens_ + std::max(0.0, elapsed) * rps_);
  last_ = now;
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::nullopt;
  }
  double wait = (1 - tokens_) / rps_;
  return std::chrono::seconds(std::max<long>(1, static_cast<long>(std::ceil(wait))));
}

}  // namespace wsop::sim
