// Opening the state file: directory, connection settings, schema migration
// and the prepared statements the store runs, bundled so that the statements
// are always finalized before their connection closes.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "controller/state/sqlite_statement.h"

namespace wsop::state::sqlite {

// Every statement the store uses, compiled once at open.
struct Statements {
  PreparedStatement select_by_key;              // ?1 namespace, ?2 name
  PreparedStatement select_all;                 // ordered by namespace, name
  PreparedStatement select_keys;                // namespace, name, owner; ordered
  PreparedStatement select_pending_creates;     // namespace, name, config, digest; ordered
  PreparedStatement select_by_provider_config;  // ?1 provider config
  PreparedStatement select_by_remote_id;        // ?1 provider config, ?2 remote id
  PreparedStatement upsert;                     // ?1..?N: the record (workspace_row.h)
  PreparedStatement remove;                     // ?1 namespace, ?2 name
  PreparedStatement set_conditions;             // ?1 namespace, ?2 name, ?3..?10 conditions
  PreparedStatement count_by_condition;         // provider config, ready, synced, n, unresolved
  PreparedStatement get_meta;                   // ?1 key
  PreparedStatement set_meta;                   // ?1 key, ?2 value
};

struct OpenDatabase {
  Connection connection;  // declared first: outlives the statements
  Statements statements;
};

// Creates the directory that will hold `path` when it is missing.
Status create_parent_directory(const std::string& path);

// Opens `path` in WAL mode with synchronous=FULL, migrates it and prepares
// the statements. must_hold_a_store: the file existed before, so finding no
// schema in it is an error (kInvalid), not a new store.
Outcome<OpenDatabase> open_database(const std::string& path, std::chrono::milliseconds busy_timeout,
                                    bool must_hold_a_store);

// Opens an existing `path` read-only (SQLITE_OPEN_READONLY) for a reader
// beside the writer: no journal mode change, no migration, no integrity
// check, nothing created. In WAL mode (which every writer sets) a reader sees
// the last commit while the writer goes on. kInvalid when the file holds no
// store or one of another schema version (a reader cannot migrate it).
Outcome<OpenDatabase> open_database_read_only(const std::string& path,
                                              std::chrono::milliseconds busy_timeout);

// Why a file is refused as a state store, and what to do about it.
std::string not_a_store_message(const std::string& path, const std::string& what);

}  // namespace wsop::state::sqlite
