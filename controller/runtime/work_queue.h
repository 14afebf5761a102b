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
//     item added again at a higher priority moves up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace wsop::runtime {

using Clock = std::chrono::steady_clock;

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
  explicit WorkQueue(BackoffPolicy backoff = {}, QueueObserver* observer = nullptr);
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
  // deadline. Returns true when idle.
  bool wait_idle(Clock::time_point deadline);

  size_t depth() const;
  size_t delayed() const;
  // Seconds the current items have been processed: (sum, longest).
  std::pair<double, double> unfinished_work() const;

 private:
  void add_locked(const std::string& key, Priority priority);
  void push_locked(const std::string& key, Priority priority);
  std::deque<std::string>& lane(Priority priority) {
    return priority == Priority::kLow ? low_ : normal_;
  }
  void promote_due_locked(Clock::time_point now);
  std::chrono::milliseconds backoff_locked(const std::string& key);

  const BackoffPolicy backoff_;
  QueueObserver* observer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<std::string> normal_, low_;    // handed out normal_ first
  std::map<std::string, Priority> queued_;  // exactly the items in normal_ and low_
  std::map<std::string, Priority> dirty_;   // added while processing
  std::map<std::string, Clock::time_point> processing_;
  std::map<std::string, Clock::time_point> added_at_;
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, int> failures_;
  std::mt19937 random_;
  bool shutting_down_ = false;
};

}  // namespace wsop::runtime
