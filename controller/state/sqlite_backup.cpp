#include "controller/state/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "controller/state/sqlite_schema.h"
#include "controller/state/sqlite_statement.h"

namespace wsop::state {
namespace {

using sqlite::Connection;

Outcome<Connection> open_with(const std::string& path, int flags) {
  auto db = sqlite::open_connection(path, flags);
  if (db) sqlite3_busy_timeout(db->get(), 5000);
  return db;
}

// Copies every page of source into destination, in steps, so that a writer
// waiting on the store is never held up for long.
Status copy_pages(sqlite3* source, sqlite3* destination) {
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source, "main");
  if (!backup) return sqlite::error(destination, sqlite3_errcode(destination), "start backup");
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqlite::error(destination, rc, "copy pages");
  return Status::ok();
}

Status check_copy(sqlite3* db, const std::string& path) {
  Outcome<std::string> answer = sqlite::pragma_value(db, "quick_check");
  if (!answer) return answer.status();
  if (*answer != "ok") {
    return Status::error(Code::kInternal, "the copy " + path + " fails quick_check: " + *answer);
  }
  return Status::ok();
}

Status flush_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(Code::kInternal, "open " + path + " to flush it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::error(Code::kInternal, "flush " + path);
  return Status::ok();
}

Status write_copy(sqlite3* source, const std::string& temporary) {
  auto destination =
      open_with(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!destination) return destination.status();
  if (Status s = copy_pages(source, destination->get()); !s) return s;
  if (Status s = check_copy(destination->get(), temporary); !s) return s;
  destination->reset();  // closed before it is flushed and renamed
  return flush_file(temporary);
}

}  // namespace

Status backup_sqlite_state_store(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) {
    return Status::error(Code::kInvalid, "state file " + source + " does not exist");
  }
  auto from = open_with(source, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  if (!from) return from.status();
  Outcome<int> version = sqlite::read_schema_version(from->get());
  if (!version) return version.status().with_context("read " + source);
  if (*version == 0) {
    return Status::error(Code::kInvalid,
                         "state file " + source + " holds no state store: nothing to back up");
  }
  const std::string temporary = destination + ".partial";
  std::filesystem::remove(temporary, ec);
  Status written = write_copy(from->get(), temporary);
  if (!written) {
    std::filesystem::remove(temporary, ec);
    return written.with_context("back up " + source + " to " + destination);
  }
  std::filesystem::rename(temporary, destination, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return Status::error(Code::kInternal,
                         "rename " + temporary + " to " + destination + ": " + ec.message());
  }
  return Status::ok();
}

}  // namespace wsop::state
