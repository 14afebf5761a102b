#include "controller/runtime/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "tests/common/fake_clock.h"

namespace wsop::runtime {
namespace {

using namespace std::chrono_literals;
using fake::FakeClock;

// Whether a delayed item is due: get() promotes every due item before it
// hands one out, so after handing out a probe the depth says whether the
// delayed items came due (without a thread blocked in get()).
size_t due_after_probe(WorkQueue& queue) {
  queue.add("probe");
  EXPECT_EQ(queue.get(), "probe");
  queue.done("probe");
  return queue.depth();
}

TEST(WorkQueueTest, AnItemQueuedTwiceIsHandedOutOnce) {
  WorkQueue queue;
  queue.add("a");
  queue.add("a");
  queue.add("b");
  EXPECT_EQ(queue.depth(), 2u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  queue.done("a");
  queue.done("b");
  EXPECT_TRUE(queue.wait_idle(real_clock().now() + 1s));
}

TEST(WorkQueueTest, AnItemAddedWhileProcessedWaitsForDone) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  queue.add("a");
  EXPECT_EQ(queue.depth(), 0u);  // not handed to a second worker meanwhile
  queue.done("a");
  EXPECT_EQ(queue.depth(), 1u);
  EXPECT_EQ(queue.get(), "a");
  queue.done("a");
}

TEST(WorkQueueTest, ASweepWaitsBehindEveryOtherItem) {
  WorkQueue queue;
  queue.add("sweep-1", Priority::kLow);
  queue.add("sweep-2", Priority::kLow);
  queue.add("changed");
  queue.add_after("provisioning", 0ms);
  EXPECT_EQ(queue.depth(), 4u);
  EXPECT_EQ(queue.get(), "changed");
  EXPECT_EQ(queue.get(), "provisioning");
  EXPECT_EQ(queue.get(), "sweep-1");
  EXPECT_EQ(queue.get(), "sweep-2");
}

TEST(WorkQueueTest, AnItemAddedAgainAtAHigherPriorityMovesUpOnce) {
  WorkQueue queue;
  queue.add("a", Priority::kLow);
  queue.add("b", Priority::kLow);
  queue.add("b");
  queue.add("b", Priority::kLow);  // never moves down
  EXPECT_EQ(queue.depth(), 2u);
  EXPECT_EQ(queue.get(), "b");
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.depth(), 0u);
}

TEST(WorkQueueTest, AnItemAddedWhileProcessedKeepsItsHighestPriority) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  queue.add("a", Priority::kLow);
  queue.add("a");
  queue.add("b", Priority::kLow);
  queue.done("a");
  EXPECT_EQ(queue.depth(), 2u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
}

TEST(WorkQueueTest, NeverTwoWorkersOnTheSameItem) {
  WorkQueue queue;
  std::atomic<int> inside{0}, overlaps{0}, handled{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        if (++inside > 1) ++overlaps;
        std::this_thread::sleep_for(100us);
        --inside;
        ++handled;
        queue.done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) queue.add("same");
  EXPECT_TRUE(queue.wait_idle(real_clock().now() + 10s));
  queue.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(handled.load(), 1);
  EXPECT_LE(handled.load(), 2000);
}

TEST(WorkQueueTest, AddAfterDelaysAndKeepsTheEarliest) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("a", 50ms);
  queue.add_after("a", 5000ms);
  EXPECT_EQ(queue.delayed(), 1u);
  clock.advance(49ms);
  EXPECT_EQ(due_after_probe(queue), 0u);
  EXPECT_EQ(queue.delayed(), 1u);
  clock.advance(1ms);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.delayed(), 0u);  // the later delay was not kept
  queue.done("a");
}

TEST(WorkQueueTest, AWorkerWaitingForADelayedItemWakesWhenTheClockReachesIt) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("a", 50ms);
  auto got = std::async(std::launch::async, [&] { return queue.get(); });
  ASSERT_TRUE(clock.await_waiters(1));
  clock.advance(50ms);
  EXPECT_EQ(got.get(), "a");
  queue.done("a");
}

TEST(WorkQueueTest, AnEarlierDelayReplacesALaterOne) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("a", 60000ms);
  queue.add_after("b", 60000ms);
  queue.add_after("a", 20ms);  // sooner: replaces the minute
  EXPECT_EQ(queue.delayed(), 2u);
  clock.advance(20ms);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.delayed(), 1u);  // b still waits its minute
  queue.done("a");
  clock.advance(59979ms);
  EXPECT_EQ(due_after_probe(queue), 0u);
  clock.advance(1ms);
  EXPECT_EQ(queue.get(), "b");
}

// The lane is the first letter of the key: "a1" is in lane "a".
WorkQueue::LaneOf first_letter() {
  return [](const std::string& key) { return key.substr(0, 1); };
}

TEST(WorkQueueTest, LanesShareTheWorkersByTheirItemsInProcess) {
  WorkQueue queue({}, nullptr, first_letter());
  // A sweep sorted by name: lane a's items all come before lane b's.
  for (const char* key : {"a1", "a2", "a3", "a4", "a5", "b1", "b2"}) queue.add(key);
  EXPECT_EQ(queue.get(), "a1");
  EXPECT_EQ(queue.get(), "b1");  // b has none in process, a has one
  EXPECT_EQ(queue.get(), "a2");  // one each: a was served longer ago
  EXPECT_EQ(queue.get(), "b2");
  EXPECT_EQ(queue.get(), "a3");  // b has nothing left: the workers go to a
  EXPECT_EQ(queue.get(), "a4");
  // a's items are stuck (a throttled provider); b's next one goes first.
  queue.done("b1");
  queue.done("b2");
  queue.add("b3");
  EXPECT_EQ(queue.get(), "b3");
  EXPECT_EQ(queue.get(), "a5");
}

TEST(WorkQueueTest, PriorityComesBeforeTheLanes) {
  WorkQueue queue({}, nullptr, first_letter());
  queue.add("a1", Priority::kLow);
  queue.add("a2", Priority::kLow);
  queue.add("b1", Priority::kLow);
  queue.add("a3");
  EXPECT_EQ(queue.get(), "a3");  // the only normal item, though a is busier
  EXPECT_EQ(queue.get(), "b1");
  queue.add("a2");  // moves up within its lane
  EXPECT_EQ(queue.get(), "a2");
  EXPECT_EQ(queue.get(), "a1");
  EXPECT_EQ(queue.depth(), 0u);
  for (const char* key : {"a1", "a2", "a3", "b1"}) queue.done(key);
  EXPECT_TRUE(queue.wait_idle(real_clock().now() + 1s));
}

TEST(WorkQueueTest, ADelayedOrDirtyItemKeepsItsLane) {
  std::atomic<int> asked{0};
  FakeClock clock;
  WorkQueue queue(
      {}, nullptr,
      [&](const std::string& key) {
        ++asked;
        return key.substr(0, 1);
      },
      clock);
  queue.add("a1");
  ASSERT_EQ(queue.get(), "a1");
  queue.add("a1");  // dirty while in process
  queue.add_after("b1", 1ms);
  queue.add("a2");
  EXPECT_EQ(asked.load(), 4);  // once per add, outside the lock
  queue.done("a1");
  clock.advance(1ms);
  // a has nothing in process now, b neither: b, served never, goes first.
  EXPECT_EQ(queue.get(), "b1");
  EXPECT_EQ(queue.get(), "a2");
  EXPECT_EQ(queue.get(), "a1");
}

TEST(WorkQueueTest, BackoffGrowsPerItemAndForgetResetsIt) {
  FakeClock clock;
  WorkQueue queue({10ms, 1000ms, 0.0}, nullptr, {}, clock);
  queue.add_rate_limited("a");
  queue.add_rate_limited("a");
  queue.add_rate_limited("a");
  EXPECT_EQ(queue.failures("a"), 3);
  EXPECT_EQ(queue.failures("b"), 0);
  queue.forget("a");
  EXPECT_EQ(queue.failures("a"), 0);
}

// Without jitter the delays are exact: 10, 20, 40 ms, capped at max, and
// back to 10 ms after forget().
TEST(WorkQueueTest, BackoffDelaysDoubleUpToTheMaximum) {
  FakeClock clock;
  WorkQueue queue({10ms, 30ms, 0.0}, nullptr, {}, clock);
  for (auto delay : {10ms, 20ms, 30ms, 30ms}) {
    queue.add_rate_limited("a");
    clock.advance(delay - 1ms);
    EXPECT_EQ(due_after_probe(queue), 0u) << delay.count();
    clock.advance(1ms);
    EXPECT_EQ(queue.get(), "a") << delay.count();
    queue.done("a");
  }
  queue.forget("a");
  queue.add_rate_limited("a");
  clock.advance(10ms);
  EXPECT_EQ(queue.get(), "a");
}

TEST(WorkQueueTest, WaitIdleGivesUpAtItsDeadlineOnTheQueuesClock) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("a", 1h);
  auto idle = std::async(std::launch::async, [&] { return queue.wait_idle(clock.now() + 10s); });
  ASSERT_TRUE(clock.await_waiters(1));
  clock.advance(10s);
  EXPECT_FALSE(idle.get());
}

TEST(WorkQueueTest, WaitIdleReturnsOnceTheLastDelayedItemIsDone) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("a", 1s);
  std::thread worker([&] {
    while (auto key = queue.get()) queue.done(*key);
  });
  auto idle = std::async(std::launch::async, [&] { return queue.wait_idle(clock.now() + 1h); });
  ASSERT_TRUE(clock.await_waiters(2));  // the worker and wait_idle
  clock.advance(1s);
  EXPECT_TRUE(idle.get());
  queue.shut_down();
  worker.join();
}

TEST(WorkQueueTest, ShutDownReleasesWaitingWorkers) {
  FakeClock clock;
  WorkQueue queue({}, nullptr, {}, clock);
  queue.add_after("later", 1h);
  std::thread worker([&] { EXPECT_FALSE(queue.get().has_value()); });
  ASSERT_TRUE(clock.await_waiters(1));  // the worker waits for "later"
  queue.shut_down();
  worker.join();
}

}  // namespace
}  // namespace wsop::runtime
