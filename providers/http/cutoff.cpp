#include "providers/http/cutoff.h"

#include <algorithm>

namespace wsop::http {

void Cutoff::bring_forward(Clock::time_point start_by, Clock::time_point finish_by,
                           std::string why) {
  std::lock_guard lock(mu_);
  if (start_by < start_by_) why_ = std::move(why);
  start_by_ = std::min(start_by_, start_by);
  finish_by_ = std::min(finish_by_, std::max(finish_by, start_by));
}

Cutoff::Clock::time_point Cutoff::start_by() const {
  std::lock_guard lock(mu_);
  return start_by_;
}

Cutoff::Clock::time_point Cutoff::finish_by() const {
  std::lock_guard lock(mu_);
  return finish_by_;
}

std::string Cutoff::why() const {
  std::lock_guard lock(mu_);
  return why_;
}

}  // namespace wsop::http
