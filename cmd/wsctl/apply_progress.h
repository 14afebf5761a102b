// apply's output: one line per change, the counts for the final summary,
// and the progress of a long run: on a terminal a bar redrawn in place, in a
// CI log a line every `every` (10 s by default) with the counts by phase, so
// that a log never sits silent while workspaces provision.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>

#include "controller/reconcile/events.h"
#include "controller/runtime/runner.h"

namespace wsop::cli {

class ApplyProgress : public reconcile::EventSink, public runtime::RunObserver {
 public:
  // every: the interval of the progress line off a terminal (0: none).
  ApplyProgress(std::ostream& out, bool tty, size_t total,
                std::chrono::milliseconds every = std::chrono::seconds(10));
  ~ApplyProgress();
  ApplyProgress(const ApplyProgress&) = delete;
  ApplyProgress& operator=(const ApplyProgress&) = delete;

  // Starts the clock of the progress line (or the bar's redraw).
  void start();

  void on_event(const reconcile::Event& event) override;
  void on_reconciled(const std::string& key, const Status& status,
                     std::chrono::duration<double> seconds, bool requeued) override;
  void on_given_up(const std::string& key, const Status& last) override;

  // Keys that ended failed or blocked.
  std::set<std::string> failed() const;
  void mark_failed(const std::string& key, const std::string& why);
  // "created 2, updated 1, deleted 0, unchanged 7, failed 0", and
  // ", not started 3" when the run ended before reconciling every key.
  std::string summary(size_t total) const;
  // "12 of 40 done (...), 8 provisioning, 20 not started, 30s elapsed".
  std::string phases_locked() const;
  // Stops the clock and clears the bar.
  void finish();

 private:
  void draw_locked();
  void tick();

  std::ostream& out_;
  const bool tty_;
  const size_t total_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex mu_;
  std::set<std::string> done_, created_, updated_, deleted_, failed_, moved_;
  std::set<std::string> reconciled_;  // reconciled at least once
  size_t errors_ = 0;
  const std::chrono::milliseconds every_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
};

}  // namespace wsop::cli
