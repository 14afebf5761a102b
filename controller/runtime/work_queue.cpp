#include "controller/runtime/work_queue.h"

#include <algorithm>
#include <cmath>

namespace wsop::runtime {

WorkQueue::WorkQueue(BackoffPolicy backoff, QueueObserver* observer, LaneOf lane_of,
                     const Clock& clock)
    : backoff_(backoff),
      clock_(clock),
      observer_(observer),
      lane_of_(std::move(lane_of)),
      random_(std::random_device{}()) {}

WorkQueue::~WorkQueue() {
  shut_down();
}

void WorkQueue::push_locked(const std::string& key, const Item& item) {
  queued_[key] = item;
  lanes_[item.lane].items(item.priority).push_back(key);
  if (item.priority == Priority::kNormal) ++queued_normal_;
  added_at_.emplace(key, clock_.now());
  if (observer_) observer_->on_depth(queued_.size());
  cv_.notify_one();
}

void WorkQueue::add_locked(const std::string& key, const Item& item) {
  if (shutting_down_) return;
  // As client-go: an item already waiting is not added (nor counted) again,
  // but one waiting at a lower priority moves up (in the lane it is in).
  if (auto it = queued_.find(key); it != queued_.end()) {
    if (item.priority <= it->second.priority) return;
    Lane& lane = lanes_[it->second.lane];
    auto& from = lane.items(it->second.priority);
    from.erase(std::find(from.begin(), from.end(), key));
    it->second.priority = item.priority;
    lane.items(item.priority).push_back(key);
    if (item.priority == Priority::kNormal) ++queued_normal_;
    return;
  }
  if (auto it = dirty_.find(key); it != dirty_.end()) {
    it->second.priority = std::max(it->second.priority, item.priority);
    return;
  }
  if (observer_) observer_->on_add();
  if (processing_.count(key)) {
    dirty_.emplace(key, item);
    return;
  }
  push_locked(key, item);
}

void WorkQueue::add(const std::string& key, Priority priority) {
  Item item{priority, lane_of(key)};
  std::lock_guard lock(mu_);
  add_locked(key, item);
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  std::string lane = lane_of(key);
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    add_locked(key, Item{Priority::kNormal, std::move(lane)});
    return;
  }
  // Keep only the earliest pending delay of an item.
  auto when = clock_.now() + delay;
  if (auto it = delay_of_.find(key); it != delay_of_.end()) {
    if (it->second.entry->first <= when) return;
    delayed_.erase(it->second.entry);
    delay_of_.erase(it);
  }
  delay_of_.emplace(key, Delay{delayed_.emplace(when, key), std::move(lane)});
  cv_.notify_all();
}

std::chrono::milliseconds WorkQueue::backoff_locked(const std::string& key) {
  int n = failures_[key]++;
  double delay = backoff_.base.count() * std::pow(2.0, std::min(n, 30));
  delay = std::min(delay, static_cast<double>(backoff_.max.count()));
  std::uniform_real_distribution<double> jitter(1 - backoff_.jitter, 1 + backoff_.jitter);
  return std::chrono::milliseconds(static_cast<int64_t>(delay * jitter(random_)));
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mu_);
    delay = backoff_locked(key);
    if (observer_) observer_->on_retry();
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_due_locked(Clock::SteadyTime now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    auto delay = delay_of_.find(key);
    Item item{Priority::kNormal, std::move(delay->second.lane)};
    delay_of_.erase(delay);
    add_locked(key, item);
  }
}

// Among the lanes with an item at the highest priority queued, the one with
// the fewest items in process; of those, the one served longest ago.
std::map<std::string, WorkQueue::Lane>::iterator WorkQueue::next_lane_locked() {
  const Priority priority = queued_normal_ > 0 ? Priority::kNormal : Priority::kLow;
  auto best = lanes_.end();
  for (auto it = lanes_.begin(); it != lanes_.end(); ++it) {
    if (it->second.items(priority).empty()) continue;
    if (best == lanes_.end() || it->second.in_process < best->second.in_process ||
        (it->second.in_process == best->second.in_process &&
         it->second.served < best->second.served)) {
      best = it;
    }
  }
  return best;
}

void WorkQueue::drop_lane_if_unused_locked(std::map<std::string, Lane>::iterator lane) {
  if (lane->second.in_process == 0 && lane->second.normal.empty() && lane->second.low.empty()) {
    lanes_.erase(lane);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    auto now = clock_.now();
    promote_due_locked(now);
    if (!queued_.empty()) break;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      // A copy: wait_until reads its deadline again after waking, and by
      // then another thread may have erased the node it would point into.
      const Clock::SteadyTime wake = delayed_.begin()->first;
      clock_.wait_until(cv_, lock, wake);
    }
  }
  auto lane = next_lane_locked();
  const Priority priority = queued_normal_ > 0 ? Priority::kNormal : Priority::kLow;
  auto& from = lane->second.items(priority);
  std::string key = std::move(from.front());
  from.pop_front();
  if (priority == Priority::kNormal) --queued_normal_;
  ++lane->second.in_process;
  lane->second.served = ++hand_outs_;
  queued_.erase(key);
  auto now = clock_.now();
  processing_[key] = InProcess{now, lane->first};
  if (observer_) {
    auto it = added_at_.find(key);
    if (it != added_at_.end()) observer_->on_start(now - it->second);
    observer_->on_depth(queued_.size());
  }
  added_at_.erase(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = processing_.find(key);
  if (it == processing_.end()) return;
  if (observer_) observer_->on_done(clock_.now() - it->second.started);
  if (auto lane = lanes_.find(it->second.lane); lane != lanes_.end()) {
    --lane->second.in_process;
    drop_lane_if_unused_locked(lane);
  }
  processing_.erase(it);
  if (auto dirty = dirty_.find(key); dirty != dirty_.end()) {
    Item item = std::move(dirty->second);
    dirty_.erase(dirty);
    // Added (and counted) while it was processed: queue it now.
    if (!shutting_down_) push_locked(key, item);
  }
  idle_cv_.notify_all();
}

void WorkQueue::shut_down() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
  idle_cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

bool WorkQueue::wait_idle(Clock::SteadyTime deadline) {
  std::unique_lock lock(mu_);
  auto idle = [&] {
    return queued_.empty() && processing_.empty() && delayed_.empty() && dirty_.empty();
  };
  while (!idle()) {
    if (shutting_down_) return false;
    // Wake for delayed items too: they become queued without a done().
    auto wake = delayed_.empty() ? deadline : std::min(deadline, delayed_.begin()->first);
    if (clock_.wait_until(idle_cv_, lock, wake) == std::cv_status::timeout &&
        clock_.now() >= deadline) {
      return idle();
    }
  }
  return true;
}

size_t WorkQueue::depth() const {
  std::lock_guard lock(mu_);
  return queued_.size();
}

size_t WorkQueue::delayed() const {
  std::lock_guard lock(mu_);
  return delayed_.size();
}

std::pair<double, double> WorkQueue::unfinished_work() const {
  std::lock_guard lock(mu_);
  double total = 0, longest = 0;
  auto now = clock_.now();
  for (const auto& [key, item] : processing_) {
    double seconds = std::chrono::duration<double>(now - item.started).count();
    total += seconds;
    longest = std::max(longest, seconds);
  }
  return {total, longest};
}

}  // namespace wsop::runtime
