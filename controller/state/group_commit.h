// Group commit for one SQLite connection, as LevelDB's writer queue does it:
// writers that arrive while a commit is on its way to disk wait in line, and
// the first of them then runs all of their writes in one transaction and one
// fsync. Under synchronous=FULL every commit costs a flush of the WAL, so with
// N workers writing at once the store pays about one flush per group instead
// of one per write, and nothing a caller was told is durable is less so: run()
// returns only after the transaction holding the write has committed.
//
// Each write runs inside its own savepoint, so a write that fails (a conflict
// it detects, a constraint) is rolled back alone and reports its own error
// while the rest of its group commits. When the transaction itself fails (the
// COMMIT, or SQLite rolling it back after an I/O error), every write of the
// group gets that error and none of them is stored.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "common/status.h"

namespace wsop::state::sqlite {

class GroupCommit {
 public:
  // A write: statements on the connection, run while the connection is held.
  // It must not begin or end a transaction itself.
  using Write = std::function<Status()>;

  // `connection_mutex` is the mutex that serialises every use of `db`; the
  // leader holds it from BEGIN to COMMIT. At most `max_group` writes share a
  // transaction, so no writer waits behind an unbounded one.
  GroupCommit(sqlite3* db, std::mutex& connection_mutex, std::size_t max_group = 64);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `write` in the next transaction and returns its own status once that
  // transaction has committed (or failed). Safe to call from any thread; must
  // not be called with the connection mutex held.
  Status run(const Write& write);

  // Writers queued, the one committing included.
  std::size_t queued() const;

 private:
  struct Writer {
    explicit Writer(const Write& w) : write(&w) {}
    const Write* write;
    Status status = Status::ok();
    bool done = false;
    std::condition_variable cv;
  };

  // Runs the group's writes in one transaction, setting each writer's status.
  void commit(std::span<Writer* const> group);

  sqlite3* db_;
  std::mutex& connection_mutex_;
  const std::size_t max_group_;
  mutable std::mutex queue_mutex_;
  std::deque<Writer*> queue_;   // front: the leader, or the next one
  std::vector<Writer*> group_;  // the group being committed (the leader's)
};

}  // namespace wsop::state::sqlite
