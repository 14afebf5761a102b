// The state file's schema and its migrations. The schema version lives in its
// own table; opening a file applies, in one transaction, every migration newer
// than the file's version, and refuses a file written by a newer wsctl rather
// than guess at columns it does not know.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace wsop::state::sqlite {

// The version this binary writes: the last migration's.
int latest_schema_version();

// Brings the database to latest_schema_version(). kInvalid, changing nothing,
// when the file's version is newer than this binary knows.
Status migrate(sqlite3* db, const std::string& path, bool must_hold_a_store);

// The file's current version (0 for a new, empty file).
Outcome<int> read_schema_version(sqlite3* db);

}  // namespace wsop::state::sqlite
