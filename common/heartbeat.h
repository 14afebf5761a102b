// Whether a loop is stuck inside one turn, for /healthz
// (controller/observability/endpoints.h). A loop marks the start and the
// end of each turn (a source load, a resync, one reconcile); its waits
// between turns (for work, a timer, a file change) are not turns, so a loop
// that idles is never taken for a stalled one, and a loop that spins or
// blocks inside a turn is, once the turn outlasts a limit.
#pragma once

#include <atomic>
#include <chrono>
#include <limits>

namespace wsop {

class Heartbeat {
 public:
  using Clock = std::chrono::steady_clock;

  void begin_turn() { started_.store(Clock::now().time_since_epoch().count()); }
  void end_turn() { started_.store(kIdle); }

  // How long the current turn has lasted; zero between turns.
  Clock::duration turn_age(Clock::time_point now = Clock::now()) const {
    auto started = started_.load();
    if (started == kIdle) return Clock::duration::zero();
    auto age = now.time_since_epoch() - Clock::duration(started);
    return age > Clock::duration::zero() ? age : Clock::duration::zero();
  }

 private:
  static constexpr Clock::rep kIdle = std::numeric_limits<Clock::rep>::min();
  std::atomic<Clock::rep> started_{kIdle};
};

// Marks one turn for the scope's life.
class HeartbeatTurn {
 public:
  explicit HeartbeatTurn(Heartbeat& beat) : beat_(beat) { beat_.begin_turn(); }
  ~HeartbeatTurn() { beat_.end_turn(); }
  HeartbeatTurn(const HeartbeatTurn&) = delete;
  HeartbeatTurn& operator=(const HeartbeatTurn&) = delete;

 private:
  Heartbeat& beat_;
};

}  // namespace wsop
