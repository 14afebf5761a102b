#include "common/clock.h"

namespace wsop {

std::cv_status Clock::wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                               std::chrono::steady_clock::duration timeout) const {
  const SteadyTime start = now();
  const SteadyTime deadline =
      timeout >= SteadyTime::max() - start ? SteadyTime::max() : start + timeout;
  return wait_until(cv, lock, deadline);
}

std::cv_status RealClock::wait_until(std::condition_variable& cv,
                                     std::unique_lock<std::mutex>& lock,
                                     SteadyTime deadline) const {
  return cv.wait_until(lock, deadline);
}

const Clock& real_clock() {
  static const RealClock clock;
  return clock;
}

}  // namespace wsop
