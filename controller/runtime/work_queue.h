// A deduplicating work queue keyed by namespace/name, with client-go's
// semantics (ARCHITECTURE.md section 6):
//   - an item added while queued is queued once;
//   - an item added while being processed is queued again only after done(),
//     so two workers never hold the same item;
//   - add_after() delays an item (requeue-after for provisioning);
//   - add_rate_limited() delays it by a per-item exponential backoff with
//     jitter, reset by forget();
//   - items added at Priority::kLow (a full sweep: start-up, resync) wait
//     behind every other item, as controller-runtime's priority queue puts
//     its initial list last: a requeue after provisioning or a changed
//     manifest is not stuck behind ten thousand unchanged workspaces. An
//     item added again at a higher priority moves up;
//   - each item joins a lane (the manager's: its ProviderConfig), and get()
//     hands out, among the items of the highest priority, the next item of
//     the lane with the fewest items in process. Without lanes a sweep
//     sorted by name puts every worker in one provider's rate limiter while
//     the other providers idle (10,000 Workspaces converged one provider
//     after the other, at a third of the speed the rate limits allow);
//     with them a slow or throttled provider holds no more than its share
//     of the workers. Crossplane gets the same from one controller per
//     kind; here one controller serves every provider;
//   - every delay, age and deadline is read on the Clock it is given
//     (common/clock.h), so its tests move time instead of sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "common/clock.h"

namespace wsop::runtime {

// Told about the queue's life, for the workqueue_* metrics.
class QueueObserver {
 public:
  virtual ~QueueObserver() = default;
  virtual void on_add() {}
  virtual void on_retry() {}
  virtual void on_depth(size_t) {}
  virtual void on_start(std::chrono::duration<double> waited) { (void)waited; }
  virtual void on_done(std::chrono::duration<double> worked) { (void)worked; }
};

struct BackoffPolicy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds max{300000};  // 5 minutes, as controller-runtime's default
  double jitter = 0.1;                    // +-10%
};

enum class Priority { kLow, kNormal };

class WorkQueue {
 public:
  // The lane of a key's item, asked when the item is added (outside the
  // queue's lock). Without one, every item shares one lane.
  using LaneOf = std::function<std::string(const std::string& key)>;

  explicit WorkQueue(BackoffPolicy backoff = {}, QueueObserver* observer = nullptr,
                     LaneOf lane_of = {}, const Clock& clock = real_clock());
  ~WorkQueue();

  void add(const std::string& key, Priority priority = Priority::kNormal);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);  // the item succeeded: reset its backoff
  int failures(const std::string& key) const;

  // Blocks until an item is ready; nothing after shut_down().
  std::optional<std::string> get();
  void done(const std::string& key);

  // Stops handing out items; get() returns nothing from now on.
  void shut_down();
  bool shutting_down() const;

  // Blocks until nothing is queued, delayed or in process, or until
  // deadline (on the queue's clock). Returns true when idle.
  bool wait_idle(Clock::SteadyTime deadline);

  size_t depth() const;
  size_t delayed() const;
  // Seconds the current items have been processed: (sum, longest).
  std::pair<double, double> unfinished_work() const;

 private:
  struct Lane {
    std::deque<std::string> normal, low;  // handed out normal first
    int in_process = 0;
    std::uint64_t served = 0;  // sequence number of its last hand-out: ties go round
    std::deque<std::string>& items(Priority priority) {
      return priority == Priority::kLow ? low : normal;
    }
  };
  struct Item {
    Priority priority = Priority::kNormal;
    std::string lane;
  };
  struct InProcess {
    Clock::SteadyTime started;
    std::string lane;
  };
  using DelayedMap = std::multimap<Clock::SteadyTime, std::string>;
  struct Delay {
    DelayedMap::iterator entry;
    std::string lane;
  };

  std::string lane_of(const std::string& key) const { return lane_of_ ? lane_of_(key) : ""; }
  void add_locked(const std::string& key, const Item& item);
  void push_locked(const std::string& key, const Item& item);
  std::map<std::string, Lane>::iterator next_lane_locked();
  void drop_lane_if_unused_locked(std::map<std::string, Lane>::iterator lane);
  void promote_due_locked(Clock::SteadyTime now);
  std::chrono::milliseconds backoff_locked(const std::string& key);

  const BackoffPolicy backoff_;
  const Clock& clock_;
  QueueObserver* observer_;
  const LaneOf lane_of_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::map<std::string, Lane> lanes_;   // a lane with nothing queued or in process is dropped
  std::map<std::string, Item> queued_;  // exactly the items in the lanes' deques
  size_t queued_normal_ = 0;            // of which at Priority::kNormal
  std::uint64_t hand_outs_ = 0;
  std::map<std::string, Item> dirty_;  // added while processing
  std::map<std::string, InProcess> processing_;
  std::map<std::string, Clock::SteadyTime> added_at_;
  DelayedMap delayed_;
  std::map<std::string, Delay> delay_of_;  // each delayed key's one entry in delayed_
  std::map<std::string, int> failures_;
  std::mt19937 random_;
  bool shutting_down_ = false;
};

}  // namespace wsop::runtime
