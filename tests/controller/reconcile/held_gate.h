// A gate a test thread can hold a call at: the call, once it reaches hold(),
// waits there until release() (or 10 s, so that a test whose call should
// never have got there fails instead of hanging), and the test can wait
// until it has got there.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace wsop::reconcile {

class HeldGate {
 public:
  void hold() {
    std::unique_lock lock(mu_);
    held_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return released_; });
  }
  void wait_until_held() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false, released_ = false;
};

}  // namespace wsop::reconcile
