// Time behind one seam, as LevelDB's Env puts time and files behind one
// (ARCHITECTURE.md section 5): the work queue, the observed cache, the
// rate limiters and the reconciler read the time and wait for it only
// through a Clock, so that their tests run on a FakeClock
// (tests/common/fake_clock.h) that moves when the test says, instead of
// sleeping and depending on the machine's speed.
//
// The contract:
//   - now() is monotonic (it never goes back) and is what every delay,
//     backoff, age and deadline is measured on. Its time points are
//     std::chrono::steady_clock's type so callers keep one type, but only
//     time points from the same Clock may be compared.
//   - wall_now() is the calendar time written into records and conditions
//     (state::Time); it may jump and is never used to measure a wait.
//   - wait_until() waits on `cv` (whose mutex `lock` holds, as
//     std::condition_variable::wait_until) until it is notified or this
//     clock's now() reaches `deadline`. Like the standard wait it may return
//     early: callers loop and check their condition and now() again.
//     kTimeout means now() >= deadline when it returned.
//   - Every method is safe to call from several threads at once.
// real_clock() is the process's one RealClock, the default everywhere: it
// holds no state, so sharing it is not shared mutable state.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace wsop {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;

  virtual SteadyTime now() const = 0;
  virtual WallTime wall_now() const = 0;
  virtual std::cv_status wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                                    SteadyTime deadline) const = 0;

  // wait_until(now() + timeout), saturating instead of overflowing.
  std::cv_status wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          std::chrono::steady_clock::duration timeout) const;
};

// std::chrono's steady and system clocks, and the standard wait.
class RealClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  std::cv_status wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            SteadyTime deadline) const override;
};

const Clock& real_clock();

}  // namespace wsop
