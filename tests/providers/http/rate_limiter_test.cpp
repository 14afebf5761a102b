// The token bucket shared by a ProviderConfig's workers: reads take the next
// token before the writes already waiting for it, and writes still get every
// token no read wants.
#include "providers/http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wsop::http {
namespace {

using namespace std::chrono_literals;
using Kind = RateLimiter::Kind;

// Who got a token, in the order they got it.
class Grants {
 public:
  void record(const std::string& who) {
    std::lock_guard lock(mu_);
    order_.push_back(who);
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> order_;
};

TEST(RateLimiterTest, AReadGoesBeforeTheWritesWaitingForTheNextToken) {
  RateLimiter limiter(/*qps=*/10, /*burst=*/1);  // one token every 100 ms
  ASSERT_TRUE(limiter.acquire());                // the bucket is empty now
  Grants grants;
  std::vector<std::thread> threads;
  // Eight writes: by chance alone the read would be first one time in nine.
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (limiter.acquire(Kind::kWrite)) grants.record("write" + std::to_string(i));
    });
  }
  std::this_thread::sleep_for(30ms);  // the writes wait for the token due at 100 ms
  threads.emplace_back([&] {
    if (limiter.acquire(Kind::kRead)) grants.record("read");
  });
  for (std::thread& thread : threads) thread.join();
  std::vector<std::string> order = grants.order();
  ASSERT_EQ(order.size(), 9u);
  EXPECT_EQ(order.front(), "read");
}

TEST(RateLimiterTest, WritesAloneGetEveryToken) {
  RateLimiter limiter(/*qps=*/50, /*burst=*/1);
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.acquire(Kind::kWrite));
  // The burst token, then four at 20 ms each: no token is held back for a read.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(RateLimiterTest, StopWakesReadsAndWritesAlike) {
  RateLimiter limiter(/*qps=*/0.1, /*burst=*/1);
  ASSERT_TRUE(limiter.acquire());
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (Kind kind : {Kind::kRead, Kind::kWrite, Kind::kWrite}) {
    threads.emplace_back([&, kind] {
      if (!limiter.acquire(kind)) ++refused;
    });
  }
  std::this_thread::sleep_for(50ms);
  limiter.stop();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(refused.load(), 3);
}

}  // namespace
}  // namespace wsop::http
