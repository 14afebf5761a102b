// runtime::Runner growing its workers (grow_to) and the default worker count
// (worker_sizing.h): enough for every ProviderConfig's rate limit.
#include "controller/runtime/runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "controller/runtime/worker_sizing.h"

namespace wsop::runtime {
namespace {

using namespace std::chrono_literals;

// Holds every reconcile until released; counts how many run at once.
class HoldingReconciler : public reconcile::Reconciler {
 public:
  Outcome<reconcile::Result> reconcile(const model::WorkspaceKey&) override {
    std::unique_lock lock(mu_);
    ++running_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    --running_;
    return reconcile::Result{};
  }
  bool wait_running(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return running_ == n; });
  }
  int running() {
    std::lock_guard lock(mu_);
    return running_;
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  bool released_ = false;
};

TEST(RunnerTest, GrowingAStartedRunnerAddsWorkersThatTakeWork) {
  HoldingReconciler reconciler;
  WorkQueue queue;
  Runner runner(reconciler, queue, {1, 0, true});
  for (const char* key : {"ns/a", "ns/b", "ns/c"}) queue.add(key);
  runner.start();
  ASSERT_TRUE(reconciler.wait_running(1));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(reconciler.running(), 1);  // one worker: one reconcile at a time
  runner.grow_to(3);
  EXPECT_EQ(runner.workers(), 3);
  EXPECT_TRUE(reconciler.wait_running(3));
  runner.grow_to(2);  // never lowered
  EXPECT_EQ(runner.workers(), 3);
  reconciler.release();
  EXPECT_TRUE(queue.wait_idle(real_clock().now() + 10s));
  runner.stop();
  runner.grow_to(5);  // after stop: nothing
  EXPECT_EQ(runner.workers(), 3);
}

TEST(RunnerTest, GrowingBeforeStartSetsHowManyStart) {
  HoldingReconciler reconciler;
  WorkQueue queue;
  Runner runner(reconciler, queue, {1, 0, true});
  runner.grow_to(2);
  for (const char* key : {"ns/a", "ns/b"}) queue.add(key);
  runner.start();
  EXPECT_TRUE(reconciler.wait_running(2));
  reconciler.release();
  runner.stop();
}

model::ProviderConfig config_at(double qps) {
  model::ProviderConfig config;
  config.rate_limit.qps = qps;
  return config;
}

TEST(WorkerSizingTest, EnoughForEveryProviderConfigsRateLimit) {
  manifest::ManifestSet set;
  EXPECT_EQ(workers_for(set), 1);  // no ProviderConfig: still one
  set.provider_configs = {config_at(10)};
  EXPECT_EQ(workers_for(set), 3);  // 10 x 0.2 s x 1.5
  set.provider_configs = {config_at(100), config_at(100), config_at(100)};
  EXPECT_EQ(workers_for(set), 90);
  EXPECT_EQ(workers_for(set, 40), 40);  // no more than there is work
  set.provider_configs.assign(10, config_at(1000));
  EXPECT_EQ(workers_for(set), kMaxWorkers);
}

}  // namespace
}  // namespace wsop::runtime
