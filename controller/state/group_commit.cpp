#include "controller/state/group_commit.h"

#include <algorithm>
#include <exception>
#include <string>

#include "controller/state/sqlite_statement.h"

namespace wsop::state::sqlite {
namespace {

// SQLite rolls a transaction back by itself after some errors (SQLITE_FULL,
// SQLITE_IOERR, ...); a later savepoint would then open a new one and the
// writes before it would be lost while reported as stored.
bool transaction_open(sqlite3* db) {
  return sqlite3_get_autocommit(db) == 0;
}

// One write inside the open transaction: its changes are kept only when it
// succeeds. Returns an error when the transaction itself is no longer usable.
Status run_in_savepoint(sqlite3* db, const GroupCommit::Write& write, Status& status) {
  if (Status begun = exec(db, "SAVEPOINT write"); !begun) {
    return begun.with_context("begin savepoint");
  }
  try {
    status = write();
  } catch (const std::exception& e) {
    // Exceptions stop here: one escaping would leave the group queued and
    // every later writer waiting for it.
    status = Status::error(Code::kInternal, std::string("state write threw: ") + e.what());
  } catch (...) {
    status = Status::error(Code::kInternal, "state write threw");
  }
  if (!transaction_open(db)) {
    return status ? Status::error(Code::kInternal, "transaction rolled back")
                  : status.with_context("transaction rolled back");
  }
  if (!status) {
    if (Status undone = exec(db, "ROLLBACK TO write"); !undone) {
      return undone.with_context("roll back a failed write");
    }
  }
  return exec(db, "RELEASE write").with_context("release savepoint");
}

}  // namespace

GroupCommit::GroupCommit(sqlite3* db, std::mutex& connection_mutex, std::size_t max_group)
    : db_(db),
      connection_mutex_(connection_mutex),
      max_group_(std::max<std::size_t>(1, max_group)) {
  group_.reserve(max_group_);  // the leader fills it without allocating
}

Status GroupCommit::run(const Write& write) {
  Writer self(write);
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&self);
  self.cv.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (self.done) return self.status;

  // The leader: everyone queued so far (the leader first) goes in this group.
  // Only the leader pops, and newcomers push at the back, so the group stays
  // the queue's first entries until it is popped below.
  // group_ is the leader's alone: there is one leader at a time.
  group_.assign(queue_.begin(), queue_.begin() + std::min(queue_.size(), max_group_));
  lock.unlock();
  commit(group_);
  lock.lock();
  for (Writer* writer : group_) {
    queue_.pop_front();
    writer->done = true;
    if (writer != &self) writer->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
  return self.status;
}

std::size_t GroupCommit::queued() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

void GroupCommit::commit(std::span<Writer* const> group) {
  std::lock_guard connection(connection_mutex_);
  Transaction tx(db_);
  Status transaction_error = tx.begin();
  for (Writer* writer : group) {
    if (!transaction_error.is_ok()) break;
    transaction_error = run_in_savepoint(db_, *writer->write, writer->status);
  }
  if (transaction_error.is_ok()) transaction_error = tx.commit();
  if (transaction_error.is_ok()) return;
  // Nothing of the group is stored: a write that failed on its own keeps
  // its more precise error, the others get the transaction's.
  for (Writer* writer : group) {
    if (writer->status.is_ok()) writer->status = transaction_error;
  }
}

}  // namespace wsop::state::sqlite
