// The rate a ProviderConfig's bucket grants at, adapted to what the server
// accepts (issue 16): additive increase, multiplicative decrease, as TCP
// and AWS's adaptive retry mode do, with three refinements that decide
// whether a throttled provider is used at its limit:
//   - one decrease per throttling event: the 429s answering requests sent
//     before the last decrease say nothing new (TCP's once-per-window rule);
//     halving for each of them would sink the rate to its floor;
//   - the decrease starts from the rate the server accepted lately,
//     not from the rate asked for, which can be far above it (qps 100
//     against a server allowing 20 would otherwise take several events);
//   - the increase is slow right after an event and speeds up the longer no
//     429 comes (a ramp, as CUBIC's probing), so a bucket near the server's
//     limit stays there while one far below it after a limit was raised
//     recovers in about a minute.
// Pure arithmetic on the time points it is given: no clock, no lock; the
// RateLimiter (rate_limiter.h) owns and guards it.
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace wsop::http {

class AdaptiveRate {
 public:
  using Clock = std::chrono::steady_clock;

  AdaptiveRate(double configured_qps, Clock::time_point now);

  // The rate at `now`, after the increase since the last call.
  double rate(Clock::time_point now);

  // A 429 answered a request sent at sent_at. Returns true if this is a new
  // throttling event (the rate decreased), false for one already counted.
  bool on_throttled(Clock::time_point sent_at, Clock::time_point now);

  // A request was answered with success.
  void on_success(Clock::time_point now);

  // Throttling events since the last success: the backoff when a 429 gives
  // no Retry-After grows with it.
  int consecutive_throttles() const { return consecutive_throttles_; }

  double floor() const;

 private:
  double accepted_rate(Clock::time_point now);

  const double configured_;
  double qps_;
  Clock::time_point updated_;
  Clock::time_point last_decrease_;
  bool decreased_ = false;
  int consecutive_throttles_ = 0;
  std::deque<Clock::time_point> successes_;  // within the last second
  std::optional<Clock::time_point> first_success_;
};

}  // namespace wsop::http
