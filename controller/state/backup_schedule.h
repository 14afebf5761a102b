// Scheduled backups of the state store (`wsctl controller --backup-dir`):
// every interval, a consistent copy (sqlite_backup.h) named
// state-YYYYMMDDTHHMMSSZ.db is written into the directory, and all but the
// newest `keep` such copies are removed. The first copy is taken one
// interval after start, so a crash loop does not fill the directory. A
// failed backup is reported and retried at the next interval; it never
// stops the controller.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace wsop::state {

struct BackupScheduleOptions {
  std::string state_path;
  std::string directory;
  std::chrono::milliseconds every{std::chrono::hours(6)};
  int keep = 7;  // at least 1
};

class BackupSchedule {
 public:
  // Told of each backup: the file written, or the error.
  using Report = std::function<void(const Outcome<std::string>& written)>;

  BackupSchedule(BackupScheduleOptions options, Report report);
  ~BackupSchedule();  // stops and joins
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

  void start();
  void stop();

  // One backup now, then the pruning: what each interval runs.
  Outcome<std::string> run_once();

  // The backups in `directory`, oldest first (by name, which is by time).
  static std::vector<std::string> list(const std::string& directory);

 private:
  void loop();

  BackupScheduleOptions options_;
  Report report_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wsop::state
