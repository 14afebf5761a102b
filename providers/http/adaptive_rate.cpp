#include "providers/http/adaptive_rate.h"

#include <algorithm>

namespace wsop::http {
namespace {

using Seconds = std::chrono::duration<double>;

// After an event the rate is this share of what the server accepted: just
// below the server's limit, so its bucket refills while ours climbs back.
constexpr double kDecrease = 0.9;
// The rate never drops below this share of the configured one.
constexpr double kFloorShare = 0.05;
// Growth right after an event, as a share of the rate per second, and how
// many seconds without a 429 double it.
constexpr double kGrowthPerSecond = 0.05;
constexpr double kRampSeconds = 10;
// Longer steps than this are integrated in pieces, so that a bucket idle for
// minutes recovers along the same curve as a busy one.
constexpr double kMaxStepSeconds = 0.1;

}  // namespace

AdaptiveRate::AdaptiveRate(double configured_qps, Clock::time_point now)
    : configured_(configured_qps), qps_(configured_qps), updated_(now), last_decrease_(now) {}

double AdaptiveRate::floor() const {
  return configured_ * kFloorShare;
}

double AdaptiveRate::rate(Clock::time_point now) {
  if (now <= updated_) return qps_;
  double elapsed = Seconds(now - updated_).count();
  double since_event = decreased_ ? Seconds(updated_ - last_decrease_).count() : kRampSeconds * 10;
  while (elapsed > 0 && qps_ < configured_) {
    double step = std::min(elapsed, kMaxStepSeconds);
    double growth = kGrowthPerSecond * (1 + since_event / kRampSeconds);
    qps_ = std::min(configured_, qps_ * (1 + growth * step));
    elapsed -= step;
    since_event += step;
  }
  updated_ = now;
  return qps_;
}

// Successes per second over the last second, or over the time since the
// first success when that is shorter (at least 0.2 s, so that the first
// answers of a burst do not read as a huge rate).
double AdaptiveRate::accepted_rate(Clock::time_point now) {
  while (!successes_.empty() && now - successes_.front() > std::chrono::seconds(1)) {
    successes_.pop_front();
  }
  if (!first_success_) return 0;
  double span = std::clamp(Seconds(now - *first_success_).count(), 0.2, 1.0);
  return static_cast<double>(successes_.size()) / span;
}

bool AdaptiveRate::on_throttled(Clock::time_point sent_at, Clock::time_point now) {
  rate(now);
  if (decreased_ && sent_at < last_decrease_) return false;
  double accepted = accepted_rate(now);
  double from = accepted > 0 ? std::min(qps_, accepted) : qps_;
  qps_ = std::max(floor(), from * kDecrease);
  last_decrease_ = now;
  decreased_ = true;
  ++consecutive_throttles_;
  return true;
}

void AdaptiveRate::on_success(Clock::time_point now) {
  consecutive_throttles_ = 0;
  if (!first_success_) first_success_ = now;
  successes_.push_back(now);
  // Bounded by what a second can hold at the configured rate (and a little).
  const size_t cap = static_cast<size_t>(configured_ * 2) + 16;
  while (successes_.size() > cap) successes_.pop_front();
}

}  // namespace wsop::http
