// The token bucket shared by a ProviderConfig's workers: reads take the next
// token before the writes already waiting for it, and writes still get every
// token no read wants.
#include "providers/http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/fake_clock.h"

namespace wsop::http {
namespace {

using namespace std::chrono_literals;
using Kind = RateLimiter::Kind;
using fake::FakeClock;

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
  FakeClock clock;
  RateLimiter limiter(/*qps=*/4, /*burst=*/1, clock);  // one token every 250 ms
  ASSERT_TRUE(limiter.acquire());                      // the bucket is empty now
  Grants grants;
  std::vector<std::thread> threads;
  // Eight writes: by chance alone the read would be first one time in nine.
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (limiter.acquire(Kind::kWrite)) grants.record("write" + std::to_string(i));
    });
  }
  ASSERT_TRUE(clock.await_waiters(8));  // the writes wait for the token due at 250 ms
  threads.emplace_back([&] {
    if (limiter.acquire(Kind::kRead)) grants.record("read");
    limiter.stop();  // the writes left waiting give up
  });
  ASSERT_TRUE(clock.await_waiters(9));
  clock.advance(250ms);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(grants.order(), std::vector<std::string>{"read"});
}

// However many reads wait, a write gets a turn after every few of them.
TEST(RateLimiterTest, WritesAreNotStarvedByReads) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/50, /*burst=*/1, clock);  // a token every 20 ms
  ASSERT_TRUE(limiter.acquire(Kind::kRead));            // the bucket is empty now
  std::atomic<bool> writes_done{false};
  std::atomic<int> reads_during_writes{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 6; ++i) {
    readers.emplace_back([&] {
      while (!writes_done && limiter.acquire(Kind::kRead)) ++reads_during_writes;
    });
  }
  ASSERT_TRUE(clock.await_waiters(6));  // reads now always wait
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire(Kind::kWrite));
    writes_done = true;
  });
  ASSERT_TRUE(clock.await_waiters(7));
  // One token at a time, each handed out before the next is due. Three
  // writes behind four reads each take 15 tokens; 200 is far past that.
  for (int tokens = 0; tokens < 200 && !writes_done; ++tokens) {
    clock.advance(20ms);
    clock.await_waiters(7, std::chrono::milliseconds(200));  // fails once the writer is done
  }
  const bool finished = writes_done;
  const int reads = reads_during_writes;
  limiter.stop();
  writer.join();
  for (std::thread& reader : readers) reader.join();
  ASSERT_TRUE(finished) << "three writes never got a token among waiting reads";
  // Four reads ahead of each write, and none more.
  EXPECT_LE(reads, 3 * 4);
}

// Writers queue in arrival order, each sleeping until the token that is
// its own: one token wakes one writer, not every one waiting (with ninety
// workers, that herd cost the controller CPU a hundred times a second).
TEST(RateLimiterTest, EachWaitingWriterSleepsUntilItsOwnToken) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/100, /*burst=*/1, clock);
  ASSERT_TRUE(limiter.acquire(Kind::kWrite));  // the burst token
  Grants grants;
  std::vector<std::future<void>> writers;
  for (int i = 0; i < 4; ++i) {
    writers.push_back(std::async(std::launch::async, [&, i] {
      if (limiter.acquire(Kind::kWrite)) grants.record("w" + std::to_string(i));
    }));
    ASSERT_TRUE(clock.await_waiters(static_cast<size_t>(i) + 1));  // queued in this order
  }
  // Four writers waiting, 10 ms apart: not four deadlines on the next token.
  // (A waiter re-registers after each of the fake clock's real-time
  // rechecks: read until all four are in place.)
  std::vector<FakeClock::SteadyTime> due;
  for (int tries = 0; tries < 10000 && due.size() != 4; ++tries) {
    due = clock.deadlines();
    if (due.size() != 4) std::this_thread::yield();
  }
  ASSERT_EQ(due.size(), 4u);
  for (size_t i = 1; i < due.size(); ++i) EXPECT_GE(due[i] - due[i - 1], 9ms);
  // Each 10 ms, the next writer in arrival order and no other.
  for (size_t i = 0; i < 4; ++i) {
    clock.advance(10ms);
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (grants.order().size() < i + 1 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    EXPECT_EQ(grants.order().size(), i + 1);
  }
  for (auto& writer : writers) {
    if (writer.wait_for(30s) != std::future_status::ready) limiter.stop();
  }
  EXPECT_EQ(grants.order(), (std::vector<std::string>{"w0", "w1", "w2", "w3"}));
}

TEST(RateLimiterTest, WritesAloneGetEveryToken) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/50, /*burst=*/1, clock);
  auto writes = std::async(std::launch::async, [&] {
    for (int i = 0; i < 5; ++i) {
      if (!limiter.acquire(Kind::kWrite)) return i;
    }
    return 5;
  });
  // The burst token, then four at 20 ms each: no token is held back for a read.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(clock.await_waiters(1));
    clock.advance(20ms);
  }
  if (writes.wait_for(30s) != std::future_status::ready) limiter.stop();
  EXPECT_EQ(writes.get(), 5);
}

TEST(RateLimiterTest, StopWakesReadsAndWritesAlike) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/0.1, /*burst=*/1, clock);
  ASSERT_TRUE(limiter.acquire());
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (Kind kind : {Kind::kRead, Kind::kWrite, Kind::kWrite}) {
    threads.emplace_back([&, kind] {
      if (!limiter.acquire(kind)) ++refused;
    });
  }
  ASSERT_TRUE(clock.await_waiters(3));
  limiter.stop();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(refused.load(), 3);
}

// Whether an acquire() started on another thread is still waiting once the
// clock's waiters are blocked again, and its result when it ends.
class PendingAcquire {
 public:
  PendingAcquire(RateLimiter& limiter, FakeClock& clock)
      : clock_(clock), result_(std::async(std::launch::async, [&] { return limiter.acquire(); })) {}
  bool waiting() {
    return clock_.await_waiters(1, std::chrono::milliseconds(200)) &&
           result_.wait_for(0s) == std::future_status::timeout;
  }
  bool granted() { return result_.get(); }

 private:
  FakeClock& clock_;
  std::future<bool> result_;
};

// A 429 without Retry-After still pauses every worker: 1 s, then twice as
// long for each 429 in a row.
TEST(RateLimiterTest, ThrottledWithoutRetryAfterBacksOffAndDoubles) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/1000, /*burst=*/10, clock);
  ASSERT_TRUE(limiter.acquire());
  limiter.on_throttled(std::nullopt, limiter.now());
  PendingAcquire first(limiter, clock);
  EXPECT_TRUE(first.waiting());
  clock.advance(999ms);
  EXPECT_TRUE(first.waiting());
  clock.advance(1ms);
  EXPECT_TRUE(first.granted());

  limiter.on_throttled(std::nullopt, limiter.now());
  PendingAcquire second(limiter, clock);
  EXPECT_TRUE(second.waiting());
  clock.advance(1999ms);
  EXPECT_TRUE(second.waiting());
  clock.advance(1ms);
  EXPECT_TRUE(second.granted());
}

// A deadline before the pause ends is refused at once, on the limiter's clock.
TEST(RateLimiterTest, AcquireByRefusesADeadlineInsideThePause) {
  FakeClock clock;
  RateLimiter limiter(/*qps=*/1000, /*burst=*/10, clock);
  limiter.on_throttled(5000ms, limiter.now());
  EXPECT_EQ(limiter.acquire_by(Kind::kWrite, clock.now() + 4s), RateLimiter::Grant::kPastDeadline);
  clock.advance(5s);
  EXPECT_EQ(limiter.acquire_by(Kind::kWrite, clock.now() + 4s), RateLimiter::Grant::kGranted);
}

}  // namespace
}  // namespace wsop::http
