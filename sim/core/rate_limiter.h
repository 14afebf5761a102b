// The server-side rate limit of a simulated API: a token bucket refilled at
// `rps` tokens per second holding at most one second's worth (at least one).
// Not thread-safe; FaultInjector guards it.
#pragma once

#include <chrono>
#include <optional>

namespace wsop::sim {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // rps 0 disables the limit.
  void set_rate(double rps, Clock::time_point now);

  // Takes a token; when none is left, how long to wait, in whole seconds
  // (at least 1) as a Retry-After header states it.
  std::optional<std::chrono::seconds> take(Clock::time_point now);

 private:
  double rps_ = 0;
  double tokens_ = 0;
  Clock::time_point last_{};
};

}  // namespace wsop::sim
