#include "cmd/wsctl/apply_stop.h"

#include <unistd.h>

#include <cstdio>

#include "cmd/wsctl/commands.h"
#include "common/duration.h"

namespace wsop::cli {
namespace {

// How often the waiting thread looks at done_ and the give-up time.
constexpr auto kWatchTick = std::chrono::milliseconds(100);

// Ends the process now, with what was printed so far: stdout may be a pipe
// whose buffer an _exit would drop. (iostreams synchronised with stdio and
// stdio's streams may be flushed from any thread.)
[[noreturn]] void exit_now(std::ostream& err, int code) {
  err.flush();
  std::fflush(nullptr);
  _exit(code);
}

const char* signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace

ApplyStop::ApplyStop(std::chrono::milliseconds timeout, std::ostream& err)
    : err_(err), deadline_(Clock::now() + timeout) {
  cutoff_->bring_forward(deadline_, deadline_ + kGrace,
                         "deadline (--timeout " + format_duration(timeout) + ")");
  give_up_at_ = deadline_ + kGrace + kRecordMargin;
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
  watcher_ = std::thread([this] { watch(); });
}

ApplyStop::~ApplyStop() {
  done_ = true;
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void ApplyStop::on_interrupt(std::function<void()> stop_work) {
  std::lock_guard lock(mu_);
  stop_work_ = std::move(stop_work);
  if (signal_ && stop_work_) stop_work_();
}

std::optional<int> ApplyStop::signal() const {
  std::lock_guard lock(mu_);
  return signal_;
}

void ApplyStop::watch() {
  const timespec tick{0, std::chrono::nanoseconds(kWatchTick).count()};
  while (!done_) {
    int got = sigtimedwait(&signals_, nullptr, &tick);
    auto now = Clock::now();
    if (got == SIGINT || got == SIGTERM) {
      std::optional<int> first = signal();
      if (first) {
        err_ << "wsctl apply: " << signal_name(got)
             << " again: exiting now; requests still in flight are left to the next apply"
             << std::endl;
        exit_now(err_, exit_code(*first));
      }
      interrupted(got, now);
    }
    if (now > give_up_at_ && !done_) {
      // Something does not end by itself (a reconcile outside any request):
      // the run is bounded all the same.
      std::optional<int> first = signal();
      err_ << "wsctl apply: still running " << format_duration(kGrace + kRecordMargin) << " after "
           << (first ? "the interruption" : "the deadline")
           << "; exiting now, the next apply resolves what was in flight" << std::endl;
      exit_now(err_, first ? exit_code(*first) : kExitFailed);
    }
  }
}

void ApplyStop::interrupted(int signal, Clock::time_point now) {
  cutoff_->bring_forward(now, now + kGrace,
                         std::string("interruption (") + signal_name(signal) + ")");
  give_up_at_ = std::min(give_up_at_, now + kGrace + kRecordMargin);
  err_ << "wsctl apply: interrupted by " << signal_name(signal)
       << ": starting nothing new, giving requests in flight " << format_duration(kGrace)
       << " to end (a second signal exits at once)" << std::endl;
  std::lock_guard lock(mu_);
  signal_ = signal;
  if (stop_work_) stop_work_();
}

}  // namespace wsop::cli
