// The adaptive rate of a ProviderConfig's bucket (providers/http/
// adaptive_rate.h), on synthetic time: one decrease per throttling event,
// from what the server accepted; a slow climb that speeds up while no 429
// comes; never above the configured rate nor below the floor.
#include "providers/http/adaptive_rate.h"

#include <gtest/gtest.h>

namespace wsop::http {
namespace {

using namespace std::chrono_literals;
using Clock = AdaptiveRate::Clock;

// n successes spread evenly over the second before `end`.
void accept(AdaptiveRate& rate, int n, Clock::time_point end) {
  for (int i = 0; i < n; ++i) rate.on_success(end - 1s + (1s * (i + 1)) / n);
}

TEST(AdaptiveRateTest, StartsAtTheConfiguredRateAndNeverExceedsIt) {
  auto t0 = Clock::now();
  AdaptiveRate rate(100, t0);
  EXPECT_DOUBLE_EQ(rate.rate(t0), 100);
  EXPECT_DOUBLE_EQ(rate.rate(t0 + 60s), 100);
}

TEST(AdaptiveRateTest, AThrottlingEventLowersTheRateBelowWhatTheServerAccepted) {
  auto t0 = Clock::now();
  AdaptiveRate rate(100, t0);
  auto t1 = t0 + 2s;
  accept(rate, 20, t1);  // the server let 20 a second through
  EXPECT_TRUE(rate.on_throttled(t1 - 50ms, t1));
  EXPECT_NEAR(rate.rate(t1), 18, 0.01);
  EXPECT_EQ(rate.consecutive_throttles(), 1);
}

// The answers to requests already in flight when the rate fell are the same
// event: halving for each would sink the rate to its floor.
TEST(AdaptiveRateTest, ThrottledAnswersToRequestsSentBeforeTheDecreaseCountOnce) {
  auto t0 = Clock::now();
  AdaptiveRate rate(100, t0);
  auto t1 = t0 + 2s;
  accept(rate, 20, t1);
  ASSERT_TRUE(rate.on_throttled(t1 - 50ms, t1));
  double after_event = rate.rate(t1);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_FALSE(rate.on_throttled(t1 - 10ms, t1 + 10ms * i));
  }
  EXPECT_NEAR(rate.rate(t1 + 50ms), after_event, 0.1);
  EXPECT_EQ(rate.consecutive_throttles(), 1);
  // A request sent after the decrease that is throttled again is news.
  EXPECT_TRUE(rate.on_throttled(t1 + 100ms, t1 + 200ms));
  EXPECT_LT(rate.rate(t1 + 200ms), after_event);
  EXPECT_EQ(rate.consecutive_throttles(), 2);
}

TEST(AdaptiveRateTest, NeverBelowTheFloor) {
  auto t0 = Clock::now();
  AdaptiveRate rate(100, t0);
  auto t = t0;
  for (int i = 0; i < 50; ++i) {
    t += 1ms;
    rate.on_throttled(t, t);
  }
  EXPECT_DOUBLE_EQ(rate.rate(t), rate.floor());
  EXPECT_DOUBLE_EQ(rate.floor(), 5);
}

// Right after an event the rate creeps (about 5% a second) so that it stays
// near the server's limit; the longer no 429 comes, the faster it climbs,
// back to the configured rate within about a minute even from the floor.
TEST(AdaptiveRateTest, ClimbsSlowlyAfterAnEventThenFasterThenFully) {
  auto t0 = Clock::now();
  AdaptiveRate rate(100, t0);
  auto t1 = t0 + 2s;
  accept(rate, 20, t1);
  ASSERT_TRUE(rate.on_throttled(t1, t1));
  double start = rate.rate(t1);
  double one_second = rate.rate(t1 + 1s);
  EXPECT_GT(one_second, start * 1.04);
  EXPECT_LT(one_second, start * 1.07);
  double at_8 = rate.rate(t1 + 8s);
  double at_9 = rate.rate(t1 + 9s);
  EXPECT_GT(at_9 / at_8, one_second / start + 0.03) << "the climb speeds up";
  EXPECT_DOUBLE_EQ(rate.rate(t1 + 60s), 100);

  AdaptiveRate floored(100, t0);
  for (int i = 0; i < 50; ++i) floored.on_throttled(t0 + 1ms * i, t0 + 1ms * i);
  EXPECT_NEAR(floored.rate(t0 + 50ms), 5, 0.01);
  EXPECT_DOUBLE_EQ(floored.rate(t0 + 90s), 100);
}

TEST(AdaptiveRateTest, ASuccessEndsTheRunOfConsecutiveThrottles) {
  auto t0 = Clock::now();
  AdaptiveRate rate(10, t0);
  rate.on_throttled(t0, t0);
  rate.on_throttled(t0 + 1s, t0 + 1s);
  EXPECT_EQ(rate.consecutive_throttles(), 2);
  rate.on_success(t0 + 2s);
  EXPECT_EQ(rate.consecutive_throttles(), 0);
}

}  // namespace
}  // namespace wsop::http
