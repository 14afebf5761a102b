#include "controller/state/sqlite_state_store.h"

#include <filesystem>
#include <system_error>

#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "controller/state/file_lock.h"
#include "controller/state/group_commit.h"
#include "controller/state/sqlite_connection.h"
#include "controller/state/sqlite_statement.h"
#include "controller/state/workspace_row.h"

namespace wsop::state {
namespace {

using sqlite::StatementUse;

Status no_record(const model::WorkspaceKey& key) {
  return Status::error(Code::kNotFound, "no state record for workspace " + key.to_string());
}

class SqliteStateStore final : public StateStore {
 public:
  // No lock: a read-only store (open_sqlite_state_store_read_only).
  SqliteStateStore(std::optional<FileLock> lock, sqlite::OpenDatabase database)
      : lock_(std::move(lock)), database_(std::move(database)), writes_(db(), mutex_) {}

  Outcome<std::optional<WorkspaceRecord>> get(const model::WorkspaceKey& key) override {
    std::lock_guard guard(mutex_);
    return get_locked(key);
  }

  Outcome<std::vector<WorkspaceRecord>> list(const ListOptions& options) override {
    std::lock_guard guard(mutex_);
    if (options.provider_config) {
      StatementUse use(db(), stmts().select_by_provider_config.get());
      use.bind(1, std::string_view(*options.provider_config));
      return read_all(use);
    }
    StatementUse use(db(), stmts().select_all.get());
    return read_all(use);
  }

  Outcome<std::vector<RecordKey>> keys() override {
    std::lock_guard guard(mutex_);
    StatementUse use(db(), stmts().select_keys.get());
    return read_rows<RecordKey>(use, "list keys", [](const StatementUse& row) {
      return RecordKey{{row.text(0), row.text(1)}, row.text(2)};
    });
  }

  Outcome<std::vector<PendingCreate>> pending_creates() override {
    std::lock_guard guard(mutex_);
    StatementUse use(db(), stmts().select_pending_creates.get());
    return read_rows<PendingCreate>(use, "list pending creates", [](const StatementUse& row) {
      return PendingCreate{{row.text(0), row.text(1)}, row.text(2), row.text(3)};
    });
  }

  Outcome<std::vector<ConditionCount>> count_by_condition() override {
    std::lock_guard guard(mutex_);
    StatementUse use(db(), stmts().count_by_condition.get());
    return read_rows<ConditionCount>(use, "count by condition", [](const StatementUse& row) {
      auto status = [&](int column) {
        return model::condition_status_from_string(row.text(column))
            .value_or(model::ConditionStatus::kUnknown);
      };
      return ConditionCount{row.text(0), status(1), status(2), row.integer(3), row.integer(4)};
    });
  }

  // Every write goes through writes_ (group commit): it runs with the
  // connection held, inside a transaction it must not end itself.
  Status put(const WorkspaceRecord& record) override {
    return write([&] { return put_all_locked({&record, 1}); });
  }

  Status put_all(const std::vector<WorkspaceRecord>& records) override {
    return write([&] { return put_all_locked(records); });
  }

  Status remove(const model::WorkspaceKey& key) override {
    return write([&] {
      StatementUse use(db(), stmts().remove.get());
      use.bind(1, std::string_view(key.ns)).bind(2, std::string_view(key.name));
      Status removed = use.run();
      if (!removed) return removed.with_context("remove " + key.to_string());
      return sqlite3_changes(db()) == 0 ? no_record(key) : Status::ok();
    });
  }

  Status move(const model::WorkspaceKey& from, const WorkspaceRecord& to) override {
    return write([&] {
      StatementUse use(db(), stmts().remove.get());
      use.bind(1, std::string_view(from.ns)).bind(2, std::string_view(from.name));
      Status removed = use.run();
      if (!removed) return removed.with_context("move " + from.to_string());
      if (sqlite3_changes(db()) == 0) return no_record(from);
      return put_one_locked(to).with_context("move " + from.to_string());
    });
  }

  Outcome<WorkspaceRecord> begin_create(const WorkspaceRecord& record, Time now) override {
    Outcome<WorkspaceRecord> pending = Status::error(Code::kInternal, "begin create not run");
    Status stored = write([&] {
      Outcome<std::optional<WorkspaceRecord>> previous = get_locked(record.key);
      if (!previous) return previous.status();
      pending = pending_create_record(record, *previous, now);
      if (!pending) return pending.status();
      return upsert_locked(*pending).with_context("begin create " + record.key.to_string());
    });
    if (!stored) return stored;
    return pending;
  }

  Status complete_create(const model::WorkspaceKey& key, const std::string& remote_id,
                         const std::string& observed_json,
                         const SettleRecord& settle = {}) override {
    return write([&] { return complete_create_locked(key, remote_id, observed_json, settle); });
  }

  Outcome<std::optional<WorkspaceRecord>> find_by_remote_id(const std::string& provider_config,
                                                            const std::string& remote_id) override {
    std::lock_guard guard(mutex_);
    return find_by_remote_id_locked(provider_config, remote_id);
  }

  Status set_conditions(const model::WorkspaceKey& key,
                        const model::Conditions& conditions) override {
    return write([&] {
      StatementUse use(db(), stmts().set_conditions.get());
      use.bind(1, std::string_view(key.ns)).bind(2, std::string_view(key.name));
      sqlite::bind_conditions(use, 3, conditions);
      Status updated = use.run();
      if (!updated) return updated.with_context("set conditions of " + key.to_string());
      return sqlite3_changes(db()) == 0 ? no_record(key) : Status::ok();
    });
  }

  Outcome<std::optional<std::string>> get_meta(const std::string& key) override {
    std::lock_guard guard(mutex_);
    StatementUse use(db(), stmts().get_meta.get());
    use.bind(1, std::string_view(key));
    Outcome<bool> row = use.step();
    if (!row) return row.status().with_context("get meta " + key);
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(use.text(0));
  }

  Status set_meta(const std::string& key, const std::string& value) override {
    return write([&] {
      StatementUse use(db(), stmts().set_meta.get());
      use.bind(1, std::string_view(key)).bind(2, std::string_view(value));
      return use.run().with_context("set meta " + key);
    });
  }

 private:
  // Every write: refused on a read-only store before SQLite sees it, so the
  // caller gets a message that says why rather than "attempt to write a
  // readonly database".
  template <class Write>
  Status write(Write&& work) {
    if (!lock_) {
      return Status::error(Code::kInvalid,
                           "the state store is open read-only (wsctl get); nothing is written");
    }
    return writes_.run(std::forward<Write>(work));
  }

  sqlite3* db() const { return database_.connection.get(); }
  const sqlite::Statements& stmts() const { return database_.statements; }

  Outcome<std::optional<WorkspaceRecord>> get_locked(const model::WorkspaceKey& key) {
    StatementUse use(db(), stmts().select_by_key.get());
    use.bind(1, std::string_view(key.ns)).bind(2, std::string_view(key.name));
    return read_optional(use);
  }

  Outcome<std::optional<WorkspaceRecord>> find_by_remote_id_locked(
      const std::string& provider_config, const std::string& remote_id) {
    StatementUse use(db(), stmts().select_by_remote_id.get());
    use.bind(1, std::string_view(provider_config)).bind(2, std::string_view(remote_id));
    return read_optional(use);
  }

  static Outcome<std::optional<WorkspaceRecord>> read_optional(StatementUse& use) {
    Outcome<bool> row = use.step();
    if (!row) return row.status();
    if (!*row) return std::optional<WorkspaceRecord>();
    Outcome<WorkspaceRecord> record = sqlite::read_record(use);
    if (!record) return record.status();
    return std::optional<WorkspaceRecord>(std::move(*record));
  }

  // Every row of `use`, each made by `make` (a plain value, no failure).
  template <class Row, class Make>
  static Outcome<std::vector<Row>> read_rows(StatementUse& use, const char* what, Make make) {
    std::vector<Row> rows;
    for (;;) {
      Outcome<bool> row = use.step();
      if (!row) return row.status().with_context(what);
      if (!*row) return rows;
      rows.push_back(make(use));
    }
  }

  static Outcome<std::vector<WorkspaceRecord>> read_all(StatementUse& use) {
    std::vector<WorkspaceRecord> records;
    for (;;) {
      Outcome<bool> row = use.step();
      if (!row) return row.status().with_context("list");
      if (!*row) return records;
      Outcome<WorkspaceRecord> record = sqlite::read_record(use);
      if (!record) return record.status();
      records.push_back(std::move(*record));
    }
  }

  Status complete_create_locked(const model::WorkspaceKey& key, const std::string& remote_id,
                                const std::string& observed_json, const SettleRecord& settle) {
    Outcome<std::optional<WorkspaceRecord>> stored = get_locked(key);
    if (!stored) return stored.status();
    if (!*stored) return no_record(key);
    Outcome<WorkspaceRecord> record =
        completed_create_record(std::move(**stored), remote_id, observed_json, settle);
    if (!record) return record.status();
    return put_one_locked(*record).with_context("complete create");
  }

  Status put_all_locked(std::span<const WorkspaceRecord> records) {
    for (const WorkspaceRecord& record : records) {
      Status written = put_one_locked(record);
      if (!written) return written;
    }
    return Status::ok();
  }

  // Inside a transaction: refuses a remote id owned by another record (with a
  // message naming the owner, which the unique index alone cannot give).
  Status put_one_locked(const WorkspaceRecord& record) {
    if (record.remote_id) {
      Outcome<std::optional<WorkspaceRecord>> owner =
          find_by_remote_id_locked(record.provider_config, *record.remote_id);
      if (!owner) return owner.status();
      if (*owner && (*owner)->key != record.key) {
        return Status::error(Code::kConflict,
                             "remote workspace " + *record.remote_id + " of " +
                                 record.provider_config + " is already recorded for " +
                                 (*owner)->key.to_string() + ", not " + record.key.to_string());
      }
    }
    return upsert_locked(record).with_context("put " + record.key.to_string());
  }

  Status upsert_locked(const WorkspaceRecord& record) {
    StatementUse use(db(), stmts().upsert.get());
    sqlite::bind_record(use, record);
    return use.run();
  }

  std::mutex mutex_;  // serialises every use of the connection
  // Declared before the database, so the lock is released only after the
  // database is closed (and its WAL checkpointed).
  std::optional<FileLock> lock_;  // empty: read-only, writes refused
  sqlite::OpenDatabase database_;
  sqlite::GroupCommit writes_;
};

}  // namespace

Outcome<std::unique_ptr<StateStore>> open_sqlite_state_store(
    const std::string& path, const SqliteStateStoreOptions& options) {
  if (path.empty()) return Status::error(Code::kInvalid, "state file path is empty");
  Status directory = sqlite::create_parent_directory(path);
  if (!directory) return directory;
  Outcome<FileLock> lock = FileLock::acquire(path + ".lock", path);
  if (!lock) return lock.status();
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (existed && !options.init && std::filesystem::file_size(path, ec) == 0 && !ec) {
    return Status::error(Code::kInvalid, sqlite::not_a_store_message(path, "is empty (0 bytes)"));
  }
  Outcome<sqlite::OpenDatabase> database = sqlite::open_database(
      path, options.busy_timeout, /*must_hold_a_store=*/existed && !options.init);
  if (!database) return database.status();
  return std::unique_ptr<StateStore>(
      std::make_unique<SqliteStateStore>(std::move(*lock), std::move(*database)));
}

Outcome<std::unique_ptr<StateStore>> open_sqlite_state_store_read_only(
    const std::string& path, const SqliteStateStoreOptions& options) {
  if (path.empty()) return Status::error(Code::kInvalid, "state file path is empty");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::error(Code::kNotFound, "no state store at " + path);
  }
  if (std::filesystem::file_size(path, ec) == 0 && !ec) {
    return Status::error(Code::kInvalid, "state file " + path + " is empty (0 bytes)");
  }
  Outcome<sqlite::OpenDatabase> database =
      sqlite::open_database_read_only(path, options.busy_timeout);
  if (!database) return database.status();
  return std::unique_ptr<StateStore>(
      std::make_unique<SqliteStateStore>(std::nullopt, std::move(*database)));
}

}  // namespace wsop::state
