#include "controller/state/sqlite_schema.h"

#include <array>
#include <string>

#include "controller/state/sqlite_connection.h"
#include "controller/state/sqlite_statement.h"

namespace wsop::state::sqlite {
namespace {

struct Migration {
  int version;      // the version the file has after this migration
  const char* sql;  // applied inside the migration transaction
};

// Append-only: a released migration is never edited, a change of schema is a
// new entry with the next version. Times are integer milliseconds since the
// Unix epoch (UTC); enums are their lower-case or condition spellings, so the
// file reads well in the sqlite3 shell.
constexpr std::array kMigrations = {
    Migration{1, R"sql(
CREATE TABLE workspaces (
  namespace               TEXT    NOT NULL,
  name                    TEXT    NOT NULL,
  external_id             TEXT    NOT NULL,
  provider_config         TEXT    NOT NULL,
  provider_type           TEXT    NOT NULL,
  remote_id               TEXT,
  owner_instance_id       TEXT    NOT NULL,
  origin                  TEXT    NOT NULL,
  create_state            TEXT    NOT NULL,
  create_requested_at_ms  INTEGER,
  create_request_digest   TEXT    NOT NULL,
  create_pending_attempts INTEGER NOT NULL,
  observed_json           TEXT    NOT NULL,
  ready_status            TEXT    NOT NULL,
  ready_reason            TEXT    NOT NULL,
  ready_message           TEXT    NOT NULL,
  ready_transition_ms     INTEGER,
  synced_status           TEXT    NOT NULL,
  synced_reason           TEXT    NOT NULL,
  synced_message          TEXT    NOT NULL,
  synced_transition_ms    INTEGER,
  applied_generation      INTEGER NOT NULL,
  applied_digest          TEXT    NOT NULL,
  last_applied_ms         INTEGER,
  PRIMARY KEY (namespace, name)
);
-- A remote workspace has at most one owner (section 4: never a duplicate).
CREATE UNIQUE INDEX workspaces_by_remote_id
  ON workspaces (provider_config, remote_id) WHERE remote_id IS NOT NULL;
CREATE INDEX workspaces_by_provider_config ON workspaces (provider_config);
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql"},
    // Version 2: a workspace's policies, so that pruning a manifest that has
    // left the source still honours its deletionPolicy.
    Migration{2, R"sql(
ALTER TABLE workspaces ADD COLUMN deletion_policy TEXT NOT NULL DEFAULT 'Delete';
ALTER TABLE workspaces ADD COLUMN management_policy TEXT NOT NULL DEFAULT 'Full';
)sql"},
    // Version 3: the paused annotation, so that prune and `wsctl delete` skip
    // a paused workspace whose manifest has left the source. 0 or 1.
    Migration{3, R"sql(
ALTER TABLE workspaces ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
)sql"},
};

Status ensure_version_table(sqlite3* db) {
  return exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
}

Status write_version(sqlite3* db, int version) {
  Status cleared = exec(db, "DELETE FROM schema_version");
  if (!cleared) return cleared;
  return exec(db, "INSERT INTO schema_version (version) VALUES (" + std::to_string(version) + ")");
}

Status too_new(const std::string& path, int version) {
  return Status::error(Code::kInvalid,
                       "state file " + path + " has schema version " + std::to_string(version) +
                           ", newer than this wsctl supports (" +
                           std::to_string(latest_schema_version()) +
                           "); use the wsctl release that wrote it, or a newer one");
}

}  // namespace

int latest_schema_version() {
  return kMigrations.back().version;
}

Outcome<int> read_schema_version(sqlite3* db) {
  // The table may not exist yet (a new file), and a statement naming a
  // missing table fails to compile, so look it up first.
  Outcome<PreparedStatement> probe =
      prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!probe) return probe.status();
  StatementUse probing(db, probe->get());
  Outcome<bool> exists = probing.step();
  if (!exists) return exists.status();
  if (!*exists) return 0;

  Outcome<PreparedStatement> select = prepare(db, "SELECT max(version) FROM schema_version");
  if (!select) return select.status();
  StatementUse selecting(db, select->get());
  Outcome<bool> row = selecting.step();
  if (!row) return row.status();
  return *row && !selecting.is_null(0) ? static_cast<int>(selecting.integer(0)) : 0;
}

Status migrate(sqlite3* db, const std::string& path, bool must_hold_a_store) {
  // One transaction for the check and every step: a crash mid-migration
  // leaves the file at its old version, and two openers cannot both migrate.
  Transaction tx(db);
  Status begun = tx.begin();
  if (!begun) return begun;
  Status table = ensure_version_table(db);
  if (!table) return table.with_context("create schema_version");
  Outcome<int> current = read_schema_version(db);
  if (!current) return current.status().with_context("read schema version");
  if (*current > latest_schema_version()) return too_new(path, *current);
  if (*current == 0 && must_hold_a_store) {
    // Rolled back with the transaction: the file is left as it was found.
    return Status::error(Code::kInvalid, not_a_store_message(path, "holds no state store tables"));
  }
  if (*current == latest_schema_version()) return Status::ok();  // rollback of a no-op
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *current) continue;
    Status applied = exec(db, migration.sql);
    if (!applied) {
      return applied.with_context("migrate to schema version " + std::to_string(migration.version));
    }
  }
  Status written = write_version(db, latest_schema_version());
  if (!written) return written.with_context("write schema version");
  return tx.commit();
}

}  // namespace wsop::state::sqlite
