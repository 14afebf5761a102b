#include "providers/http/rate_limiter.h"

#include <algorithm>

namespace wsop::http {
namespace {

// After a 429 the rate never drops below this share of the configured one.
constexpr double kFloorShare = 0.05;
// Each success gives back this share of the configured rate.
constexpr double kRecoveryShare = 0.02;

}  // namespace

RateLimiter::RateLimiter(double qps, int burst)
    : configured_qps_(qps),
      burst_(std::max(1, burst)),
      qps_(qps),
      tokens_(std::max(1, burst)),
      last_refill_(Clock::now()),
      paused_until_(Clock::now()) {}

void RateLimiter::refill(Clock::time_point now) {
  double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_refill_ = now;
  }
}

bool RateLimiter::acquire(Kind kind) {
  std::unique_lock lock(mu_);
  const bool read = kind == Kind::kRead;
  if (read) ++reads_waiting_;
  bool granted = false;
  while (!stopped_) {
    auto now = Clock::now();
    if (now < paused_until_) {
      const Clock::time_point until = paused_until_;  // a copy: others may extend it
      cv_.wait_until(lock, until);
      continue;
    }
    refill(now);
    // A write leaves one token to each waiting read; it sleeps until the
    // tokens after theirs (or until the last read leaves and wakes it).
    const double needed = 1 + (read ? 0 : reads_waiting_);
    if (tokens_ >= needed) {
      tokens_ -= 1;
      granted = true;
      break;
    }
    auto wait = std::chrono::duration<double>((needed - tokens_) / qps_);
    cv_.wait_for(lock, std::chrono::duration_cast<Clock::duration>(wait));
  }
  if (read && --reads_waiting_ == 0) cv_.notify_all();
  return granted;
}

void RateLimiter::on_throttled(std::optional<std::chrono::milliseconds> retry_after) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  refill(now);
  qps_ = std::max(configured_qps_ * kFloorShare, qps_ / 2);
  tokens_ = std::min(tokens_, 0.0);
  if (retry_after) paused_until_ = std::max(paused_until_, now + *retry_after);
}

void RateLimiter::on_success() {
  std::lock_guard lock(mu_);
  if (qps_ >= configured_qps_) return;
  refill(Clock::now());
  qps_ = std::min(configured_qps_, qps_ + configured_qps_ * kRecoveryShare);
}

void RateLimiter::stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

double RateLimiter::current_qps() const {
  std::lock_guard lock(mu_);
  return qps_;
}

}  // namespace wsop::http
