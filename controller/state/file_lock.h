// An exclusive advisory lock on a file, held for the lifetime of the object.
// It keeps two processes from sharing one state file: SQLite itself would
// let them, and two reconcilers interleaving create journals on the same
// records could both send a create for one workspace. Only writers take it:
// a read-only reader (`wsctl get`, open_sqlite_state_store_read_only) needs
// none, since SQLite's WAL lets it read beside the one writer.
//
// flock(2) locks belong to an open file description, so a second acquire in
// the same process conflicts too. The lock is released by the kernel when the
// process dies, so a crash never leaves a stale lock behind.
#pragma once

#include <string>
#include <utility>

#include "common/status.h"

namespace wsop::state {

class FileLock {
 public:
  // Takes the lock on `lock_path` (created when missing) without waiting, and
  // writes this process's pid into it. kConflict naming the holder's pid when
  // another holder has it; `what` names the protected file in that message.
  static Outcome<FileLock> acquire(const std::string& lock_path, const std::string& what);

  ~FileLock();
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;  // -1 once moved from
};

}  // namespace wsop::state
