// A token bucket per ProviderConfig, shared by every worker that talks to
// that account (ARCHITECTURE.md section 6). Its rate adapts to the server
// (adaptive_rate.h): a 429 lowers it to just below what the server accepted
// and nothing is sent until Retry-After has passed (without one, a backoff
// of 1 s doubling per consecutive 429 up to 30 s); it climbs back while no
// 429 comes, so a throttled provider is used at its limit and one whose
// limit was raised recovers.
//
// Reads take the next token before writes waiting for it: while creates run
// at the provider's limit there are always writes waiting, and a read, most
// often one page of a list that a hundred provisioning workspaces wait on,
// would otherwise wait behind all of them. After four reads in a row ahead
// of waiting writes, one write goes, so writes are never starved.
//
// Waiters of one kind queue in arrival order: the one with k waiters ahead
// sleeps until the bucket can hold k tokens more than it needs, so each
// token wakes about one waiter. Ninety workers all sleeping until the same
// next token woke every one of them a hundred times a second, to send one.
//
// Every time it reads and every wait is on the Clock it is given
// (common/clock.h); its time points (sent_at, deadlines) are that clock's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>

#include "common/clock.h"
#include "providers/http/adaptive_rate.h"

namespace wsop::http {

class RateLimiter {
 public:
  using TimePoint = wsop::Clock::SteadyTime;

  RateLimiter(double qps, int burst, const wsop::Clock& clock = real_clock());

  // Now on the limiter's clock: what sent_at and deadlines are measured on.
  TimePoint now() const { return clock_.now(); }

  enum class Kind { kWrite, kRead };

  // Blocks until a request may be sent. Returns false only if stop() was
  // called while waiting.
  bool acquire(Kind kind = Kind::kWrite);

  enum class Grant { kGranted, kStopped, kPastDeadline };
  // As acquire(), but a request that could not be sent before `deadline`
  // (a pause for Retry-After, or the rate, ending after it) does not wait:
  // kPastDeadline at once, so a command's --timeout bounds its waits.
  Grant acquire_by(Kind kind, TimePoint deadline);

  // The server answered 429 to a request sent at sent_at (the time acquire()
  // returned): slow down once per throttling event, and pause every worker
  // for retry_after (a backoff when the server gave none). Returns the rate
  // granted now, as current_qps() does.
  double on_throttled(std::optional<std::chrono::milliseconds> retry_after, TimePoint sent_at);
  // A request was answered with success. Returns the rate granted now.
  double on_success();

  // Wakes every waiter; acquire() returns false from now on.
  void stop();

  // The rate granted now: the metric workspace_operator_provider_rate_limit_qps.
  double current_qps();

 private:
  void refill(TimePoint now);
  double tokens_needed(bool read) const;
  void granted(bool read);  // takes the token and keeps the turn count
  // Waiters of the same kind that came before `ticket`.
  int ahead_of(bool read, std::uint64_t ticket) const;

  const double burst_;
  const wsop::Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  AdaptiveRate rate_;
  double qps_;  // rate_ at last_refill_
  double tokens_;
  TimePoint last_refill_;
  TimePoint paused_until_;
  int reads_waiting_ = 0;
  int writes_waiting_ = 0;
  int reads_in_a_row_ = 0;  // reads granted while writes waited, since the last write
  std::uint64_t next_ticket_ = 0;
  std::set<std::uint64_t> waiting_reads_, waiting_writes_;  // tickets, in arrival order
  bool stopped_ = false;
};

}  // namespace wsop::http
