// The default StateStore: one SQLite file (by default ./.wsctl/state.db, the
// `--state` flag), in WAL mode with synchronous=FULL so that every commit the
// create journal relies on is on disk before the call returns. Writes from
// several threads share commits (group_commit.h): one flush per group of
// concurrent writes rather than one per write.
//
// One writer at a time: opening takes an exclusive flock on "<path>.lock"
// for the store's lifetime, and a second opener, in this process or another,
// gets kConflict naming the holder's pid. Within the process the store is
// shared by every worker thread. Readers (open_sqlite_state_store_read_only,
// what `wsctl get` uses) take no lock: WAL lets them read the last commit
// while the writer goes on, and the lock exists to keep two *writers* from
// interleaving create journals (file_lock.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "controller/state/state_store.h"

namespace wsop::state {

inline constexpr const char* kDefaultStatePath = "./.wsctl/state.db";

struct SqliteStateStoreOptions {
  // How long a statement waits for SQLite's own file locks (held briefly by,
  // say, someone inspecting the file with the sqlite3 shell) before failing.
  std::chrono::milliseconds busy_timeout{5000};
  // Start a new store in a file that exists but holds none (empty, or
  // without the store's tables). Without it such a file is refused: taken
  // for a new store, it would make every workspace be created again.
  bool init = false;
};

// Opens the store at `path`, creating the file and its parent directory when
// missing, and migrates its schema to this binary's version. A missing file
// is a new store; a file that exists must hold one (options.init aside).
// Errors: kConflict when another opener holds the file; kInvalid when the
// file exists but holds no store (0 bytes, or no tables: say a copy of the
// main file taken while its data sat in the -wal file) or was written by a
// newer wsctl (its schema version is unknown here); kInternal with SQLite's
// or the system's message otherwise (not a database, no permission, ...).
Outcome<std::unique_ptr<StateStore>> open_sqlite_state_store(
    const std::string& path, const SqliteStateStoreOptions& options);

inline Outcome<std::unique_ptr<StateStore>> open_sqlite_state_store(const std::string& path) {
  return open_sqlite_state_store(path, SqliteStateStoreOptions{});
}

// Opens the store at `path` to read only, beside a writer (a controller or an
// apply) that holds it: no lock, SQLITE_OPEN_READONLY, no migration, nothing
// created; every write returns kInvalid. options.init is ignored. Errors:
// kNotFound "no state store at PATH" when the file is missing; kInvalid when
// it holds no store or one of another schema version; kInternal otherwise.
Outcome<std::unique_ptr<StateStore>> open_sqlite_state_store_read_only(
    const std::string& path, const SqliteStateStoreOptions& options = {});

}  // namespace wsop::state
