// The Clock seam (common/clock.h): the real clock's wait ends at its
// deadline, and the fake one moves only when told, waking its waiters.
#include "common/clock.h"

#include <gtest/gtest.h>

#include <future>

#include "tests/common/fake_clock.h"

namespace wsop {
namespace {

using namespace std::chrono_literals;
using fake::FakeClock;

TEST(ClockTest, TheRealClockWaitsUntilItsDeadline) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  const auto start = real_clock().now();
  // Spurious wake-ups may end a wait early: loop, as every caller does.
  while (real_clock().wait_for(cv, lock, 5ms) != std::cv_status::timeout) {
  }
  EXPECT_GE(real_clock().now() - start, 5ms);
  EXPECT_EQ(real_clock().wait_for(cv, lock, 0ms), std::cv_status::timeout);
}

// An overflowed deadline would lie in the past and time out at once; the
// fake clock's wait ends early instead (its re-check), without a timeout.
TEST(ClockTest, WaitForSaturatesInsteadOfOverflowing) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  EXPECT_EQ(clock.wait_for(cv, lock, std::chrono::steady_clock::duration::max()),
            std::cv_status::no_timeout);
}

TEST(ClockTest, TheFakeClockMovesOnlyWhenAdvanced) {
  FakeClock clock;
  const auto steady = clock.now();
  const auto wall = clock.wall_now();
  EXPECT_NE(steady, Clock::SteadyTime{});  // the epoch means "never" to its users
  EXPECT_EQ(clock.now(), steady);
  clock.advance(1500ms);
  EXPECT_EQ(clock.now() - steady, 1500ms);
  EXPECT_EQ(clock.wall_now() - wall, 1500ms);
}

TEST(ClockTest, AdvancingTheFakeClockWakesTheWaitersItMadeDue) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const auto deadline = clock.now() + 10s;
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock lock(mu);
    while (clock.wait_until(cv, lock, deadline) != std::cv_status::timeout) {
    }
    return clock.now();
  });
  ASSERT_TRUE(clock.await_waiters(1));
  clock.advance(9999ms);
  ASSERT_TRUE(clock.await_waiters(1));  // still waiting
  EXPECT_EQ(waited.wait_for(0s), std::future_status::timeout);
  clock.advance(1ms);
  EXPECT_EQ(waited.get(), deadline);
  EXPECT_EQ(clock.waiters(), 0u);
}

TEST(ClockTest, APastDeadlineTimesOutAtOnce) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  EXPECT_EQ(clock.wait_until(cv, lock, clock.now()), std::cv_status::timeout);
  EXPECT_TRUE(lock.owns_lock());
}

}  // namespace
}  // namespace wsop
