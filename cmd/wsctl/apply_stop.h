// How `wsctl apply` stops early: at its --timeout, or at SIGINT / SIGTERM.
// Either way no new request starts (the providers' clients share one
// http::Cutoff), requests in flight get a grace of 5 s to end by themselves
// and are abandoned after it, and every outcome is recorded in the state
// store by the reconcile that met it: a create answered in time is
// committed, one whose answer never came stays pending and the next apply
// resolves it by lookup (controller/reconcile/create_journal.cpp).
//
// Signals are taken synchronously, not by a handler: SIGINT and SIGTERM are
// blocked in the thread that builds an ApplyStop, so in every thread it
// starts afterwards, and a thread of its own waits for them with
// sigtimedwait. No handler runs, so no global state is needed. A second
// signal exits at once (_exit: the state store's transactions are atomic,
// an unfinished one is rolled back), as does a run still going well past
// its grace, so the run is bounded whatever it waits on.
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "providers/http/cutoff.h"

namespace wsop::cli {

class ApplyStop {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kGrace{5};
  // Beyond the grace, for the reconciles to record what their requests met.
  static constexpr std::chrono::seconds kRecordMargin{5};

  // The run's deadline is now + timeout: the cutoff's start_by, with the
  // grace after it for requests in flight.
  ApplyStop(std::chrono::milliseconds timeout, std::ostream& err);
  ~ApplyStop();  // ends the waiting thread, unblocks the signals
  ApplyStop(const ApplyStop&) = delete;
  ApplyStop& operator=(const ApplyStop&) = delete;

  std::shared_ptr<http::Cutoff> cutoff() const { return cutoff_; }
  Clock::time_point deadline() const { return deadline_; }

  // What ends the work under way at the first signal (shut the work queue,
  // wake the providers' waits); run at once if a signal already came.
  // Replaces the previous one.
  void on_interrupt(std::function<void()> stop_work);

  // The first signal received, if any.
  std::optional<int> signal() const;
  // 130 for SIGINT, 143 for SIGTERM (128 + the signal, as shells report).
  static int exit_code(int signal) { return 128 + signal; }

 private:
  void watch();
  void interrupted(int signal, Clock::time_point now);

  std::ostream& err_;
  std::shared_ptr<http::Cutoff> cutoff_ = std::make_shared<http::Cutoff>();
  const Clock::time_point deadline_;
  sigset_t signals_;
  sigset_t previous_mask_;
  mutable std::mutex mu_;
  std::function<void()> stop_work_;  // guarded by mu_
  std::optional<int> signal_;        // guarded by mu_
  Clock::time_point give_up_at_;     // the watching thread's only
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

}  // namespace wsop::cli
