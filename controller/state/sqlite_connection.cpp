#include "controller/state/sqlite_connection.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "controller/state/sqlite_schema.h"
#include "controller/state/workspace_row.h"

namespace wsop::state::sqlite {
namespace {

const char* const kTable = "workspaces";

// INSERT of a whole record; on an existing key, every other column is
// replaced. Not INSERT OR REPLACE: REPLACE would silently delete a *different*
// record that holds the same remote id instead of failing on the unique index.
std::string upsert_sql() {
  std::string columns = kWorkspaceColumns;
  std::string sql = std::string("INSERT INTO ") + kTable + " (" + columns + ") VALUES (";
  for (int i = 1; i <= kWorkspaceColumnCount; ++i) {
    sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
  }
  sql += ") ON CONFLICT (namespace, name) DO UPDATE SET ";
  bool first = true;
  size_t start = 0;
  while (start < columns.size()) {
    size_t end = columns.find(", ", start);
    if (end == std::string::npos) end = columns.size();
    std::string column = columns.substr(start, end - start);
    start = end + 2;
    if (column == "namespace" || column == "name") continue;
    sql += (first ? "" : ", ") + column + " = excluded." + column;
    first = false;
  }
  return sql;
}

std::string select_sql(const std::string& where_and_order) {
  return std::string("SELECT ") + kWorkspaceColumns + " FROM " + kTable + " " + where_and_order;
}

Outcome<Statements> prepare_statements(sqlite3* db) {
  Statements s;
  struct Entry {
    PreparedStatement* target;
    std::string sql;
  };
  const Entry entries[] = {
      {&s.select_by_key, select_sql("WHERE namespace = ?1 AND name = ?2")},
      {&s.select_all, select_sql("ORDER BY namespace, name")},
      {&s.select_keys,
       "SELECT namespace, name, owner_instance_id FROM workspaces ORDER BY namespace, name"},
      {&s.select_pending_creates,
       "SELECT namespace, name, provider_config, create_request_digest FROM workspaces "
       "WHERE create_state = 'pending' ORDER BY namespace, name"},
      {&s.select_by_provider_config,
       select_sql("WHERE provider_config = ?1 ORDER BY namespace, name")},
      {&s.select_by_remote_id, select_sql("WHERE provider_config = ?1 AND remote_id = ?2")},
      {&s.upsert, upsert_sql()},
      {&s.remove, "DELETE FROM workspaces WHERE namespace = ?1 AND name = ?2"},
      {&s.set_conditions,
       "UPDATE workspaces SET ready_status = ?3, ready_reason = ?4, ready_message = ?5, "
       "ready_transition_ms = ?6, synced_status = ?7, synced_reason = ?8, synced_message = ?9, "
       "synced_transition_ms = ?10 WHERE namespace = ?1 AND name = ?2"},
      {&s.count_by_condition,
       "SELECT provider_config, ready_status, synced_status, COUNT(*), "
       "SUM(synced_reason = 'CreatePendingUnresolved') FROM workspaces "
       "GROUP BY provider_config, ready_status, synced_status"},
      {&s.get_meta, "SELECT value FROM meta WHERE key = ?1"},
      {&s.set_meta,
       "INSERT INTO meta (key, value) VALUES (?1, ?2) "
       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
  };
  for (const Entry& entry : entries) {
    Outcome<PreparedStatement> stmt = prepare(db, entry.sql);
    if (!stmt) return stmt.status().with_context("prepare \"" + entry.sql + "\"");
    *entry.target = std::move(*stmt);
  }
  return s;
}

Status configure(sqlite3* db, std::chrono::milliseconds busy_timeout) {
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL: readers never block the writer. synchronous=FULL: in WAL mode,
  // NORMAL may lose the last commits on power loss, and a lost create-pending
  // record is exactly how duplicates happen (section 4).
  Outcome<std::string> mode = pragma_value(db, "journal_mode = WAL");
  if (!mode) return mode.status().with_context("set journal_mode");
  if (*mode != "wal") {
    return Status::error(Code::kInternal,
                         "could not switch the state file to WAL mode (got '" + *mode + "')");
  }
  return exec(db, "PRAGMA synchronous = FULL").with_context("set synchronous");
}

}  // namespace

Status create_parent_directory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::ok();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Status::error(Code::kInternal, "create directory " + parent.string() +
                                              " for the state file: " + ec.message());
  }
  return Status::ok();
}

std::string not_a_store_message(const std::string& path, const std::string& what) {
  return "state file " + path + " " + what +
         ": refusing to start a new store over it, since every workspace it tracked would be "
         "created again. If it is a copy of the file taken while wsctl ran, its data was in " +
         path +
         "-wal: restore a copy made with `wsctl state backup` instead. To start an empty store "
         "on purpose, pass --init";
}

Outcome<OpenDatabase> open_database(const std::string& path, std::chrono::milliseconds busy_timeout,
                                    bool must_hold_a_store) {
  Outcome<Connection> connection = open_connection(path);
  if (!connection) return connection.status();
  sqlite3* db = connection->get();
  Status configured = configure(db, busy_timeout);
  if (!configured) return configured.with_context("open state file " + path);
  Status migrated = migrate(db, path, must_hold_a_store);
  if (!migrated) return migrated;
  if (must_hold_a_store) {
    // A truncated or overwritten file can still show its schema on the first
    // page: check every page's structure now rather than fail mid-apply.
    Outcome<std::string> check = pragma_value(db, "quick_check");
    if (!check) return check.status().with_context("check state file " + path);
    if (*check != "ok") {
      return Status::error(Code::kInvalid,
                           not_a_store_message(path, "is damaged (" + *check + ")"));
    }
  }
  Outcome<Statements> statements = prepare_statements(db);
  if (!statements) return statements.status();
  return OpenDatabase{std::move(*connection), std::move(*statements)};
}

Outcome<OpenDatabase> open_database_read_only(const std::string& path,
                                              std::chrono::milliseconds busy_timeout) {
  Outcome<Connection> connection =
      open_connection(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  sqlite3* db = connection->get();
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  Outcome<int> version = read_schema_version(db);
  if (!version) return version.status().with_context("read state file " + path);
  if (*version == 0) {
    return Status::error(Code::kInvalid, "state file " + path + " holds no state store tables");
  }
  if (*version != latest_schema_version()) {
    // A reader must not migrate: an older file is brought up to date by the
    // next command that writes it (apply, or the controller at start).
    bool older = *version < latest_schema_version();
    return Status::error(
        Code::kInvalid,
        "state file " + path + " has schema version " + std::to_string(*version) + ", " +
            (older ? "older" : "newer") + " than this wsctl's " +
            std::to_string(latest_schema_version()) + "; " +
            (older ? "a command that writes it (apply, or the controller at start) migrates it, "
                     "get only reads"
                   : "use the wsctl release that wrote it, or a newer one"));
  }
  // The write statements compile too (SQLite checks read-only at step time);
  // the store refuses writes before reaching them (sqlite_state_store.cpp).
  Outcome<Statements> statements = prepare_statements(db);
  if (!statements) return statements.status();
  return OpenDatabase{std::move(*connection), std::move(*statements)};
}

}  // namespace wsop::state::sqlite
