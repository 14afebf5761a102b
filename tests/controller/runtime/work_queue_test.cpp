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
