// When a one-shot command's provider requests must stop: wsctl apply's
// --timeout and its SIGINT / SIGTERM handling (cmd/wsctl/apply.cpp). No
// request starts, and no wait (Retry-After, the bucket, a retry's backoff)
// runs, past start_by(); a request already in flight is abandoned at
// finish_by(), the grace it is given to end by itself. A create abandoned
// so is ambiguous, and the create journal's lookup settles it on the next
// run (controller/reconcile/create_journal.cpp).
//
// One per command, shared by every client it makes (ClientOptions::cutoff);
// either moment only ever moves earlier. The controller has none: its
// reconciles are bounded by their own request timeouts.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace wsop::http {

class Cutoff {
 public:
  using Clock = std::chrono::steady_clock;

  // Moves start_by and finish_by to these moments if they are earlier, and
  // names why, for the messages of what it stops: "deadline (--timeout
  // 5s)", "interruption (SIGINT)".
  void bring_forward(Clock::time_point start_by, Clock::time_point finish_by, std::string why);

  Clock::time_point start_by() const;
  Clock::time_point finish_by() const;
  std::string why() const;

  bool start_passed(Clock::time_point now = Clock::now()) const { return now >= start_by(); }
  bool finish_passed(Clock::time_point now = Clock::now()) const { return now >= finish_by(); }

 private:
  mutable std::mutex mu_;
  Clock::time_point start_by_ = Clock::time_point::max();
  Clock::time_point finish_by_ = Clock::time_point::max();
  std::string why_ = "no cutoff";
};

}  // namespace wsop::http
