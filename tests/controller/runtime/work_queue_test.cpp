#include "controller/runtime/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace wsop::runtime {
namespace {

using namespace std::chrono_literals;

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
  EXPECT_TRUE(queue.wait_idle(Clock::now() + 1s));
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
  EXPECT_TRUE(queue.wait_idle(Clock::now() + 10s));
  queue.shut_down();
  for (auto& t : workers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(handled.load(), 1);
  EXPECT_LE(handled.load(), 2000);
}

TEST(WorkQueueTest, AddAfterDelaysAndKeepsTheEarliest) {
  WorkQueue queue;
  queue.add_after("a", 50ms);
  queue.add_after("a", 5000ms);
  EXPECT_EQ(queue.delayed(), 1u);
  auto start = Clock::now();
  EXPECT_EQ(queue.get(), "a");
  EXPECT_GE(Clock::now() - start, 40ms);
  queue.done("a");
}

TEST(WorkQueueTest, AnEarlierDelayReplacesALaterOne) {
  WorkQueue queue;
  queue.add_after("a", 60000ms);
  queue.add_after("b", 60000ms);
  queue.add_after("a", 20ms);  // sooner: replaces the minute
  EXPECT_EQ(queue.delayed(), 2u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.delayed(), 1u);  // b still waits its minute
  queue.done("a");
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
  EXPECT_TRUE(queue.wait_idle(Clock::now() + 1s));
}

TEST(WorkQueueTest, ADelayedOrDirtyItemKeepsItsLane) {
  std::atomic<int> asked{0};
  WorkQueue queue({}, nullptr, [&](const std::string& key) {
    ++asked;
    return key.substr(0, 1);
  });
  queue.add("a1");
  ASSERT_EQ(queue.get(), "a1");
  queue.add("a1");  // dirty while in process
  queue.add_after("b1", 1ms);
  queue.add("a2");
  EXPECT_EQ(asked.load(), 4);  // once per add, outside the lock
  queue.done("a1");
  std::this_thread::sleep_for(5ms);
  // a has nothing in process now, b neither: b, served never, goes first.
  EXPECT_EQ(queue.get(), "b1");
  EXPECT_EQ(queue.get(), "a2");
  EXPECT_EQ(queue.get(), "a1");
}

TEST(WorkQueueTest, BackoffGrowsPerItemAndForgetResetsIt) {
  WorkQueue queue({10ms, 1000ms, 0.0});
  queue.add_rate_limited("a");
  queue.add_rate_limited("a");
  queue.add_rate_limited("a");
  EXPECT_EQ(queue.failures("a"), 3);
  EXPECT_EQ(queue.failures("b"), 0);
  queue.forget("a");
  EXPECT_EQ(queue.failures("a"), 0);
}

TEST(WorkQueueTest, ShutDownReleasesWaitingWorkers) {
  WorkQueue queue;
  std::thread worker([&] { EXPECT_FALSE(queue.get().has_value()); });
  std::this_thread::sleep_for(20ms);
  queue.shut_down();
  worker.join();
}

}  // namespace
}  // namespace wsop::runtime
