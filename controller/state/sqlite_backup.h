// A consistent copy of the state file while a controller or an apply holds
// it (`wsctl state backup`): SQLite's online backup API reads the store as
// one transaction through the WAL, so the copy has every commit up to that
// moment, which `cp state.db` does not (the newest commits sit in the -wal
// file until a checkpoint). It takes no flock: a reader never disturbs the
// store's writer (WAL mode).
#pragma once

#include <string>

#include "common/status.h"

namespace wsop::state {

// Copies the store at `source` to `destination`, replacing it atomically
// (written beside it, checked with quick_check, flushed, then renamed).
// kInvalid when `source` is missing or holds no state store; kInternal
// with SQLite's or the system's message otherwise.
Status backup_sqlite_state_store(const std::string& source, const std::string& destination);

}  // namespace wsop::state
