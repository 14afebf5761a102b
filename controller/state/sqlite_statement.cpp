#include "controller/state/sqlite_statement.h"

namespace wsop::state::sqlite {

Status error(sqlite3* db, int rc, std::string_view doing) {
  std::string message(doing);
  message += ": ";
  // sqlite3_errmsg describes the connection's last error, which is `rc` as
  // long as nothing ran in between; errstr is the fallback without a handle.
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // A constraint failure means the data disagrees with the request (e.g. a
  // remote id already owned by another record), not a local fault.
  Code code = (rc & 0xff) == SQLITE_CONSTRAINT ? Code::kConflict : Code::kInternal;
  return Status::error(code, std::move(message));
}

Outcome<Connection> open_connection(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection db(raw);  // sqlite3_open_v2 allocates a handle even on failure
  if (rc != SQLITE_OK) return error(db.get(), rc, "open " + path);
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

Outcome<PreparedStatement> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  PreparedStatement stmt(raw);
  if (rc != SQLITE_OK) return error(db, rc, "prepare");
  return stmt;
}

Outcome<std::string> pragma_value(sqlite3* db, const std::string& pragma) {
  Outcome<PreparedStatement> stmt = prepare(db, "PRAGMA " + pragma);
  if (!stmt) return stmt.status();
  StatementUse use(db, stmt->get());
  Outcome<bool> row = use.step();
  if (!row) return row.status();
  return *row ? use.text(0) : std::string();
}

Status exec(sqlite3* db, const std::string& sql) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(db, rc, "exec");
  return Status::ok();
}

StatementUse::~StatementUse() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void StatementUse::check_bind(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

StatementUse& StatementUse::bind(int index, std::string_view text) {
  check_bind(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                               SQLITE_TRANSIENT));
  return *this;
}

StatementUse& StatementUse::bind(int index, int64_t number) {
  check_bind(sqlite3_bind_int64(stmt_, index, number));
  return *this;
}

StatementUse& StatementUse::bind(int index, const std::optional<std::string>& text) {
  if (text) return bind(index, std::string_view(*text));
  check_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

StatementUse& StatementUse::bind(int index, const std::optional<int64_t>& number) {
  if (number) return bind(index, *number);
  check_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Outcome<bool> StatementUse::step() {
  if (bind_rc_ != SQLITE_OK) return error(db_, bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(db_, rc, "step");
}

Status StatementUse::run() {
  Outcome<bool> row = step();
  if (!row) return row.status();
  if (*row) return Status::error(Code::kInternal, "statement unexpectedly returned a row");
  return Status::ok();
}

bool StatementUse::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string StatementUse::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

int64_t StatementUse::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::string> StatementUse::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<int64_t> StatementUse::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

Transaction::~Transaction() {
  // Best effort: if ROLLBACK fails too, SQLite has already rolled back.
  if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::begin() {
  // IMMEDIATE takes the write lock up front, so a read-then-write inside the
  // transaction cannot fail half-way with SQLITE_BUSY.
  Status status = exec(db_, "BEGIN IMMEDIATE");
  open_ = status.is_ok();
  return status.with_context("begin transaction");
}

Status Transaction::commit() {
  Status status = exec(db_, "COMMIT");
  if (status) open_ = false;
  return status.with_context("commit");
}

}  // namespace wsop::state::sqlite
