// apply's output: one line per change (or a progress line on a TTY), and
// the counts for the final summary.
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>
#include <set>
#include <string>

#include "controller/reconcile/events.h"
#include "controller/runtime/runner.h"

namespace wsop::cli {

class ApplyProgress : public reconcile::EventSink, public runtime::RunObserver {
 public:
  ApplyProgress(std::ostream& out, bool tty, size_t total);

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
  void finish();

 private:
  void draw_locked();

  std::ostream& out_;
  const bool tty_;
  const size_t total_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex mu_;
  std::set<std::string> done_, created_, updated_, deleted_, failed_;
  std::set<std::string> reconciled_;  // reconciled at least once
  size_t errors_ = 0;
};

}  // namespace wsop::cli
