// A Clock (common/clock.h) that moves only when a test calls advance(), so
// that tests of delays, backoffs, ages and rate limits neither sleep nor
// depend on the machine's speed.
//
// Waiters: wait_until() registers the caller until it returns; advance()
// notifies the condition variable of every waiter whose deadline it
// reached. advance() cannot take the waiter's mutex (the waiter holds it
// while it registers, so the lock order would invert), so a notification
// may land just before the waiter blocks; a waiter therefore also returns
// after a short real slice (kRecheck), as a spurious wake-up the caller's
// loop absorbs. Nothing a test asserts depends on that slice.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace wsop::fake {

class FakeClock final : public Clock {
 public:
  // Far from the steady epoch, which the components read as "never".
  explicit FakeClock(SteadyTime start = SteadyTime{} + std::chrono::hours(1000),
                     WallTime wall_start = WallTime{} + std::chrono::hours(24 * 365 * 56))
      : now_(start), wall_(wall_start) {}

  SteadyTime now() const override {
    std::lock_guard guard(mu_);
    ++reads_;
    return now_;
  }
  WallTime wall_now() const override {
    std::lock_guard guard(mu_);
    return wall_;
  }

  std::cv_status wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            SteadyTime deadline) const override {
    Waiter me{&cv, deadline};
    {
      std::unique_lock guard(mu_);
      if (now_ >= deadline) {
        guard.unlock();
        // As the standard wait does with a past deadline, let go of the
        // caller's mutex for a moment: a caller looping on a due deadline
        // (WorkQueue::wait_idle) must not keep out the thread it waits for.
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::microseconds(20));  // a real pause, not time
        lock.lock();
        return std::cv_status::timeout;
      }
      waiters_.push_back(&me);
    }
    cv.wait_for(lock, kRecheck);
    std::lock_guard guard(mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
    return now_ >= deadline ? std::cv_status::timeout : std::cv_status::no_timeout;
  }

  // Moves both times forward and wakes the waiters now due.
  void advance(std::chrono::steady_clock::duration by) {
    std::lock_guard guard(mu_);
    now_ += by;
    wall_ += std::chrono::duration_cast<WallTime::duration>(by);
    for (const Waiter* waiter : waiters_) {
      if (waiter->deadline <= now_) waiter->cv->notify_all();
    }
  }

  // How many times now() was read: a test that must know a thread has
  // read the time (before it moves it) waits for the count to grow.
  size_t reads() const {
    std::lock_guard guard(mu_);
    return reads_;
  }
  bool await_reads(size_t count, std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (reads() < count) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Threads inside wait_until() whose deadline is still ahead: blocked
  // until the clock moves (a waiter whose deadline advance() reached counts
  // again once it waits anew).
  size_t waiters() const {
    std::lock_guard guard(mu_);
    return static_cast<size_t>(std::count_if(waiters_.begin(), waiters_.end(),
                                             [&](const Waiter* w) { return w->deadline > now_; }));
  }

  // The deadlines of the threads inside wait_until() that are still ahead,
  // earliest first: which of them the next advance() will wake.
  std::vector<SteadyTime> deadlines() const {
    std::lock_guard guard(mu_);
    std::vector<SteadyTime> out;
    for (const Waiter* w : waiters_) {
      if (w->deadline > now_) out.push_back(w->deadline);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Waits (in real time, up to `limit`) until at least `count` threads are
  // blocked on this clock: a test's way to know its threads reached their
  // wait before it moves the time.
  bool await_waiters(size_t count,
                     std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (waiters() < count) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }

 private:
  static constexpr std::chrono::milliseconds kRecheck{2};
  struct Waiter {
    std::condition_variable* cv;
    SteadyTime deadline;
  };

  mutable std::mutex mu_;
  SteadyTime now_;
  WallTime wall_;
  mutable size_t reads_ = 0;
  mutable std::vector<const Waiter*> waiters_;
};

}  // namespace wsop::fake
