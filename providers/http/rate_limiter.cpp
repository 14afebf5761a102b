#include "providers/http/rate_limiter.h"

#include <algorithm>

namespace wsop::http {
namespace {

// The pause after a 429 without Retry-After: doubling per consecutive one.
constexpr std::chrono::milliseconds kFirstBackoff{1000};
constexpr std::chrono::milliseconds kMaxBackoff{30000};
// Reads served ahead of waiting writes before one write goes: writes keep
// at least a fifth of the rate however many reads wait.
constexpr int kReadsAhead = 4;

}  // namespace

RateLimiter::RateLimiter(double qps, int burst, const wsop::Clock& clock)
    : burst_(std::max(1, burst)),
      clock_(clock),
      rate_(qps, clock.now()),
      qps_(qps),
      tokens_(std::max(1, burst)),
      last_refill_(clock_.now()),
      paused_until_(clock_.now()) {}

void RateLimiter::refill(TimePoint now) {
  double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_refill_ = now;
    qps_ = rate_.rate(now);
  }
}

// Tokens the bucket must hold for this request to take one: a write leaves
// one to each waiting read, unless a write is owed its turn, in which case
// a read leaves one to it.
double RateLimiter::tokens_needed(bool read) const {
  const bool write_owed = writes_waiting_ > 0 && reads_in_a_row_ >= kReadsAhead;
  if (read) return write_owed ? 2 : 1;
  return write_owed ? 1 : 1 + reads_waiting_;
}

void RateLimiter::granted(bool read) {
  tokens_ -= 1;
  if (!read) {
    // The owed write went: reads that stood aside may go again.
    if (reads_in_a_row_ >= kReadsAhead && reads_waiting_ > 0) cv_.notify_all();
    reads_in_a_row_ = 0;
  } else if (writes_waiting_ > 0) {
    ++reads_in_a_row_;
  }
}

bool RateLimiter::acquire(Kind kind) {
  return acquire_by(kind, TimePoint::max()) == Grant::kGranted;
}

RateLimiter::Grant RateLimiter::acquire_by(Kind kind, TimePoint deadline) {
  std::unique_lock lock(mu_);
  const bool read = kind == Kind::kRead;
  int& waiting = read ? reads_waiting_ : writes_waiting_;
  ++waiting;
  std::set<std::uint64_t>& queue = read ? waiting_reads_ : waiting_writes_;
  const std::uint64_t ticket = next_ticket_++;
  queue.insert(ticket);
  Grant grant = Grant::kStopped;
  while (!stopped_) {
    auto now = clock_.now();
    if (now < paused_until_) {
      const TimePoint until = paused_until_;  // a copy: others may extend it
      if (until > deadline) {
        grant = Grant::kPastDeadline;
        break;
      }
      clock_.wait_until(cv_, lock, until);
      continue;
    }
    refill(now);
    // The tokens of the waiters of its kind ahead of it are theirs: it
    // goes when the bucket holds those and its own.
    const double needed = tokens_needed(read) + ahead_of(read, ticket);
    if (tokens_ >= needed) {
      granted(read);
      grant = Grant::kGranted;
      break;
    }
    // Woken early when the reads ahead of it leave or an owed write goes.
    auto wait = std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::duration<double>((needed - tokens_) / qps_));
    if (deadline != TimePoint::max() && now + wait > deadline) {
      grant = Grant::kPastDeadline;
      break;
    }
    clock_.wait_for(cv_, lock, wait);
  }
  --waiting;
  queue.erase(ticket);
  if (read) cv_.notify_all();  // the writes behind it need one token fewer
  return grant;
}

int RateLimiter::ahead_of(bool read, std::uint64_t ticket) const {
  const std::set<std::uint64_t>& queue = read ? waiting_reads_ : waiting_writes_;
  return static_cast<int>(std::distance(queue.begin(), queue.find(ticket)));
}

double RateLimiter::on_throttled(std::optional<std::chrono::milliseconds> retry_after,
                                 TimePoint sent_at) {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  refill(now);
  if (rate_.on_throttled(sent_at, now)) {
    qps_ = rate_.rate(now);
    tokens_ = std::min(tokens_, 0.0);
  }
  if (!retry_after) {
    int doublings = std::min(std::max(rate_.consecutive_throttles() - 1, 0), 5);
    retry_after = std::min(kMaxBackoff, kFirstBackoff * (1 << doublings));
  }
  paused_until_ = std::max(paused_until_, now + *retry_after);
  return qps_;
}

double RateLimiter::on_success() {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  rate_.on_success(now);
  refill(now);
  return qps_;
}

void RateLimiter::stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

double RateLimiter::current_qps() {
  std::lock_guard lock(mu_);
  refill(clock_.now());
  return qps_;
}

}  // namespace wsop::http
