#include "controller/runtime/runner.h"

namespace wsop::runtime {

std::optional<model::WorkspaceKey> queued_key(const std::string& text) {
  return model::WorkspaceKey::parse(text, model::kDefaultNamespace);
}

Runner::Runner(reconcile::Reconciler& reconciler, WorkQueue& queue, RunnerOptions options,
               RunObserver* observer)
    : reconciler_(reconciler), queue_(queue), options_(options), observer_(observer) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    beats_.push_back(std::make_unique<Heartbeat>());
  }
}

Runner::~Runner() {
  stop();
}

void Runner::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& beat : beats_) threads_.emplace_back([this, &beat = *beat] { work(beat); });
}

void Runner::stop() {
  queue_.shut_down();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    threads.swap(threads_);
  }
  for (auto& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

void Runner::grow_to(int workers) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  while (static_cast<int>(beats_.size()) < workers) {
    beats_.push_back(std::make_unique<Heartbeat>());
    if (started_) threads_.emplace_back([this, &beat = *beats_.back()] { work(beat); });
  }
}

int Runner::workers() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(beats_.size());
}

Heartbeat::Clock::duration Runner::longest_turn() const {
  auto now = Heartbeat::Clock::now();
  Heartbeat::Clock::duration longest{0};
  std::lock_guard lock(mu_);
  for (const auto& beat : beats_) longest = std::max(longest, beat->turn_age(now));
  return longest;
}

void Runner::work(Heartbeat& beat) {
  while (auto key = queue_.get()) {
    if (observer_) observer_->on_active_workers(++active_);
    beat.begin_turn();
    process(*key);
    beat.end_turn();
    queue_.done(*key);
    if (observer_) observer_->on_active_workers(--active_);
  }
}

void Runner::process(const std::string& key) {
  auto started = std::chrono::steady_clock::now();
  Outcome<reconcile::Result> result = Status::error(Code::kInternal, "not run");
  try {
    if (auto workspace = queued_key(key)) {
      result = reconciler_.reconcile(*workspace);
    } else {
      result = Status::error(Code::kInternal, "not a workspace key: " + key);
    }
  } catch (const std::exception& e) {
    // A bug must not take the worker down with it; retry with backoff.
    result = Status::error(Code::kInternal, std::string("reconcile threw: ") + e.what());
  }
  bool requeued = false;
  if (result) {
    queue_.forget(key);
    if (result->requeue_after && (options_.follow_provisioning || !result->provisioning)) {
      queue_.add_after(key, *result->requeue_after);
      requeued = true;
    }
  } else if (options_.max_failures > 0 && queue_.failures(key) + 1 >= options_.max_failures) {
    queue_.forget(key);
    if (observer_) observer_->on_given_up(key, result.status());
  } else if (result.status().code() != Code::kInvalid) {
    queue_.add_rate_limited(key);
    requeued = true;
  } else {
    queue_.forget(key);  // retrying an invalid request changes nothing
  }
  if (observer_) {
    observer_->on_reconciled(key, result.status(), std::chrono::steady_clock::now() - started,
                             requeued);
  }
}

}  // namespace wsop::runtime
