// RAII over the SQLite C API: owned connections and prepared statements, a
// scoped use of a statement that always resets it, and a transaction that
// rolls back unless committed. Every failure becomes a Status carrying
// SQLite's own message (kInternal, or kConflict for a constraint violation).
//
// Not thread-safe: the store serialises all use of one connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wsop::state::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using PreparedStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// A Status for SQLite result `rc` on `db`, prefixed with what was being done.
Status error(sqlite3* db, int rc, std::string_view doing);

// The store's connection: read-write, created when missing, no SQLite mutex
// (the store already serialises every use of its connection).
inline constexpr int kStoreOpenFlags =
    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

// Opens the database file at `path` with sqlite3_open_v2's `flags`.
Outcome<Connection> open_connection(const std::string& path, int flags = kStoreOpenFlags);

// Compiles one SQL statement for repeated use.
Outcome<PreparedStatement> prepare(sqlite3* db, std::string_view sql);

// The first column of the first row of a PRAGMA, as text ("" for no row):
// journal_mode, quick_check...
Outcome<std::string> pragma_value(sqlite3* db, const std::string& pragma);

// Runs SQL text that returns no rows (may hold several statements).
Status exec(sqlite3* db, const std::string& sql);

// One execution of a prepared statement: binds parameters (1-based), steps
// through rows, and on destruction resets the statement and clears its
// bindings so the next use starts clean.
class StatementUse {
 public:
  StatementUse(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~StatementUse();
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  StatementUse& bind(int index, std::string_view text);
  StatementUse& bind(int index, int64_t number);
  StatementUse& bind(int index, const std::optional<std::string>& text);
  StatementUse& bind(int index, const std::optional<int64_t>& number);

  // True when a row is available, false when done; an error otherwise. The
  // first bind failure, if any, is reported here.
  Outcome<bool> step();
  // Steps once and expects no row (INSERT, UPDATE, DELETE).
  Status run();

  // Columns of the current row (0-based).
  bool is_null(int column) const;
  std::string text(int column) const;
  int64_t integer(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<int64_t> optional_integer(int column) const;

 private:
  void check_bind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// BEGIN IMMEDIATE on construction via begin(); ROLLBACK on destruction unless
// commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin();
  Status commit();

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace wsop::state::sqlite
