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
  RateLimiter limiter(/*qps=*/4, /*burst=*/1);  // one token every 250 ms
  ASSERT_TRUE(limiter.acquire());               // the bucket is empty now
  Grants grants;
  std::vector<std::thread> threads;
  // Eight writes: by chance alone the read would be first one time in nine.
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (limiter.acquire(Kind::kWrite)) grants.record("write" + std::to_string(i));
    });
  }
  std::this_thread::sleep_for(30ms);  // the writes wait for the token due at 250 ms
  threads.emplace_back([&] {
    if (limiter.acquire(Kind::kRead)) grants.record("read");
    limiter.stop();  // the writes left waiting give up
  });
  for (std::thread& thread : threads) thread.join();
  std::vector<std::string> order = grants.order();
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.front(), "read");
}

// However many reads wait, a write gets a turn after every few of them.
TEST(RateLimiterTest, WritesAreNotStarvedByReads) {
  RateLimiter limiter(/*qps=*/50, /*burst=*/1);
  std::atomic<bool> writes_done{false};
  std::atomic<int> reads_during_writes{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 6; ++i) {
    readers.emplace_back([&] {
      while (!writes_done && limiter.acquire(Kind::kRead)) ++reads_during_writes;
    });
  }
  std::this_thread::sleep_for(50ms);  // reads now always wait
  reads_during_writes = 0;
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire(Kind::kWrite));
    writes_done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!writes_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const bool finished = writes_done;
  int reads = reads_during_writes;
  limiter.stop();
  writer.join();
  for (std::thread& reader : readers) reader.join();
  ASSERT_TRUE(finished) << "three writes never got a token among waiting reads";
  // Four reads ahead of each write, and a few granted as the writer started.
  EXPECT_LE(reads, 3 * 4 + 6);
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

// A 429 without Retry-After still pauses every worker: 1 s, then twice as
// long for each 429 in a row.
TEST(RateLimiterTest, ThrottledWithoutRetryAfterBacksOffAndDoubles) {
  RateLimiter limiter(/*qps=*/1000, /*burst=*/10);
  ASSERT_TRUE(limiter.acquire());
  auto sent = RateLimiter::Clock::now();
  limiter.on_throttled(std::nullopt, sent);
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(limiter.acquire());
  auto first_pause = std::chrono::steady_clock::now() - started;
  EXPECT_GE(first_pause, 950ms);
  EXPECT_LT(first_pause, 1500ms);

  limiter.on_throttled(std::nullopt, RateLimiter::Clock::now());
  started = std::chrono::steady_clock::now();
  ASSERT_TRUE(limiter.acquire());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1950ms);
}

}  // namespace
}  // namespace wsop::http
