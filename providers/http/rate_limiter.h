// A token bucket per ProviderConfig, shared by every worker that talks to
// that account (ARCHITECTURE.md section 6). A 429 slows it down: the rate is
// halved (down to a floor) and nothing is sent until Retry-After has passed;
// each success afterwards brings the rate back up a little (additive
// increase), so a throttled provider recovers gradually.
//
// Reads take the next token before writes waiting for it: while creates run
// at the provider's limit there are always writes waiting, and a read, most
// often one page of a list that a hundred provisioning workspaces wait on,
// would otherwise wait behind all of them. After four reads in a row ahead
// of waiting writes, one write goes, so writes are never starved.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace wsop::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double qps, int burst);

  enum class Kind { kWrite, kRead };

  // Blocks until a request may be sent. Returns false only if stop() was
  // called while waiting.
  bool acquire(Kind kind = Kind::kWrite);

  // The server answered 429: slow down, and pause for retry_after if given.
  void on_throttled(std::optional<std::chrono::milliseconds> retry_after);
  // A request succeeded: recover a little of the configured rate.
  void on_success();

  // Wakes every waiter; acquire() returns false from now on.
  void stop();

  double current_qps() const;
  double configured_qps() const { return configured_qps_; }

 private:
  void refill(Clock::time_point now);
  double tokens_needed(bool read) const;
  void granted(bool read);  // takes the token and keeps the turn count

  const double configured_qps_;
  const double burst_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  double qps_;
  double tokens_;
  Clock::time_point last_refill_;
  Clock::time_point paused_until_;
  int reads_waiting_ = 0;
  int writes_waiting_ = 0;
  int reads_in_a_row_ = 0;  // reads granted while writes waited, since the last write
  bool stopped_ = false;
};

}  // namespace wsop::http
