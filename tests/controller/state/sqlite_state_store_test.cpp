// What the SQLite store adds to the StateStore contract: the file, its schema
// versions, the one-process lock, crash safety, threads and scale.
#include "controller/state/sqlite_state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/controller/state/state_store_contract.h"
#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using test_support::at_millis;
using test_support::full_record;
using test_support::new_record;
using test_support::StateStoreTest;

class SqliteStateStoreTest : public test_support::StateDirTest {
 protected:
  // Runs SQL on the state file with a plain connection, as an older or newer
  // binary (or a person with the sqlite3 shell) would.
  void raw_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  // The first column of the first row of `sql`, as text.
  std::string raw_query(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      value = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }
};

// Forks; the child runs `body` with the write end of a pipe and exits. Returns
// everything the child wrote. The child must not use gtest assertions.
std::string run_in_child(const std::function<void(int)>& body) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    body(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

void write_all(int fd, const std::string& text) {
  ssize_t ignored = write(fd, text.data(), text.size());
  (void)ignored;
}

TEST_F(SqliteStateStoreTest, CreatesTheParentDirectoryAndUsesWal) {
  path_ = (dir_ / "nested" / ".wsctl" / "state.db").string();
  ASSERT_NE(open_store(), nullptr);
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_TRUE(std::filesystem::exists(path_ + ".lock"));
  EXPECT_EQ(raw_query("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStateStoreTest, ReopeningIsIdempotent) {
  ASSERT_TRUE(open_store()->put(full_record("a", "x")));
  open_store();
  auto store = open_store();
  EXPECT_EQ(raw_query("SELECT count(*) || ':' || max(version) FROM schema_version"), "1:3");
  auto all = store->list({});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0], full_record("a", "x"));
}

// The version 1 schema exactly as the first release wrote it. Frozen here on
// purpose: when a migration 2 is added, this test proves a v1 file still opens.
const char* const kFrozenV1Schema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE workspaces (
  namespace TEXT NOT NULL, name TEXT NOT NULL, external_id TEXT NOT NULL,
  provider_config TEXT NOT NULL, provider_type TEXT NOT NULL, remote_id TEXT,
  owner_instance_id TEXT NOT NULL, origin TEXT NOT NULL, create_state TEXT NOT NULL,
  create_requested_at_ms INTEGER, create_request_digest TEXT NOT NULL,
  create_pending_attempts INTEGER NOT NULL, observed_json TEXT NOT NULL,
  ready_status TEXT NOT NULL, ready_reason TEXT NOT NULL, ready_message TEXT NOT NULL,
  ready_transition_ms INTEGER, synced_status TEXT NOT NULL, synced_reason TEXT NOT NULL,
  synced_message TEXT NOT NULL, synced_transition_ms INTEGER,
  applied_generation INTEGER NOT NULL, applied_digest TEXT NOT NULL, last_applied_ms INTEGER,
  PRIMARY KEY (namespace, name));
CREATE UNIQUE INDEX workspaces_by_remote_id
  ON workspaces (provider_config, remote_id) WHERE remote_id IS NOT NULL;
CREATE INDEX workspaces_by_provider_config ON workspaces (provider_config);
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
INSERT INTO workspaces VALUES ('team-a', 'ml', 'team-a/ml', 'cadenya-prod', 'cadenya', 'c-9',
  'instance-0', 'imported', 'pending', 1700000000123, 'sha256:d', 2, '{"a":1}',
  'True', 'Available', '', 1700000001000, 'Unknown', '', '', NULL, 7, 'sha256:s', NULL);
INSERT INTO meta VALUES ('source.revision', 'abc');
)sql";

TEST_F(SqliteStateStoreTest, OpensAVersion1FileWrittenByAnOlderBinary) {
  raw_exec(kFrozenV1Schema);
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto got = store->get({"team-a", "ml"});
  ASSERT_TRUE(got.is_ok() && got->has_value()) << got.status().to_string();
  const WorkspaceRecord& r = **got;
  EXPECT_EQ(r.provider_type, model::ProviderType("cadenya"));
  EXPECT_EQ(r.remote_id, "c-9");
  EXPECT_EQ(r.origin, Origin::kImported);
  EXPECT_EQ(r.create.state, CreateState::kPending);
  EXPECT_EQ(r.create.requested_at, at_millis(1'700'000'000'123));
  EXPECT_EQ(r.create.pending_attempts, 2);
  EXPECT_EQ(r.conditions.ready.status, model::ConditionStatus::kTrue);
  EXPECT_EQ(r.conditions.synced.status, model::ConditionStatus::kUnknown);
  EXPECT_EQ(r.applied_generation, 7);
  // Migration 2 gave the old row the policies' defaults.
  EXPECT_EQ(r.deletion_policy, model::DeletionPolicy::kDelete);
  EXPECT_EQ(r.management_policy, model::ManagementPolicy::kFull);
  // Migration 3: an old row was never recorded as paused.
  EXPECT_FALSE(r.paused);
  EXPECT_EQ(raw_query("SELECT max(version) FROM schema_version"), "3");
  auto revision = store->get_meta("source.revision");
  ASSERT_TRUE(revision.is_ok());
  EXPECT_EQ(*revision, std::optional<std::string>("abc"));
}

TEST_F(SqliteStateStoreTest, RefusesAFileFromANewerBinaryWithoutTouchingIt) {
  open_store();
  raw_exec("UPDATE schema_version SET version = 99");
  auto store = open_sqlite_state_store(path_);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Code::kInvalid);
  EXPECT_NE(store.status().message().find("schema version 99"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find(path_), std::string::npos);
  EXPECT_EQ(raw_query("SELECT max(version) FROM schema_version"), "99");
  // The refusal released the lock: fixing the file makes it usable again.
  raw_exec("UPDATE schema_version SET version = 3");
  EXPECT_NE(open_store(), nullptr);
}

TEST_F(SqliteStateStoreTest, ReportsAFileThatIsNotADatabase) {
  std::ofstream(path_) << "this is not a database, just some text that is long enough\n";
  auto store = open_sqlite_state_store(path_);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Code::kInternal);
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().message();
}

TEST_F(SqliteStateStoreTest, ASecondOpenInTheSameProcessIsRefused) {
  auto first = open_store();
  ASSERT_NE(first, nullptr);
  auto second = open_sqlite_state_store(path_);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Code::kConflict);
  EXPECT_NE(second.status().message().find("state file " + path_ + " is in use"), std::string::npos)
      << second.status().message();
  first.reset();
  EXPECT_NE(open_store(), nullptr);  // released on close
}

TEST_F(SqliteStateStoreTest, AnotherProcessIsRefusedWithTheHoldersPid) {
  auto store = open_store();
  ASSERT_TRUE(store->put(full_record("a", "x")));
  std::string child_saw = run_in_child([&](int out) {
    auto other = open_sqlite_state_store(path_);
    write_all(out, other.is_ok() ? std::string("opened")
                                 : std::string(code_name(other.status().code())) + "|" +
                                       other.status().message());
  });
  std::string expected = "Conflict|state file " + path_ +
                         " is in use by another wsctl process (pid " + std::to_string(getpid()) +
                         ")";
  EXPECT_EQ(child_saw.substr(0, expected.size()), expected) << child_saw;
  // The holder's data is untouched.
  auto got = store->get({"a", "x"});
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ(**got, full_record("a", "x"));
}

TEST_F(SqliteStateStoreTest, APendingCreateSurvivesAKilledProcess) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto store = open_sqlite_state_store(path_);
    bool begun =
        store.is_ok() && (*store)->begin_create(new_record("a", "x"), at_millis(77)).is_ok();
    write_all(fds[1], begun ? "begun" : "failed");
    pause();  // "sending the POST" when the SIGKILL arrives
    _exit(1);
  }
  close(fds[1]);
  char buffer[16] = {};
  ssize_t n = read(fds[0], buffer, sizeof buffer - 1);
  close(fds[0]);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_EQ(std::string(buffer, n > 0 ? n : 0), "begun");

  auto store = open_store();  // the kernel released the dead process's lock
  ASSERT_NE(store, nullptr);
  auto got = store->get({"a", "x"});
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->create.state, CreateState::kPending);
  EXPECT_EQ((*got)->create.requested_at, at_millis(77));
  EXPECT_EQ((*got)->create.pending_attempts, 1);
}

TEST_F(SqliteStateStoreTest, EightThreadsLoseNoWrite) {
  auto store = open_store();
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread && failures[t].empty(); ++i) {
        std::string name = "ws-" + std::to_string(t) + "-" + std::to_string(i);
        WorkspaceRecord record = new_record("ns", name);
        Status s = store->begin_create(record, at_millis(i)).status();
        if (s) s = store->complete_create(record.key, "r-" + name, "{}");
        if (s)
          s = store->set_conditions(record.key,
                                    {{model::ConditionStatus::kTrue, "Available", "", {}},
                                     {model::ConditionStatus::kTrue, "Synced", "", {}}});
        if (s) s = store->set_meta("thread-" + std::to_string(t), name);
        if (s) s = store->get(record.key).status();
        if (s) s = store->list({.provider_config = "other"}).status();
        if (!s) failures[t] = name + ": " + s.to_string();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) EXPECT_EQ(failure, "");

  auto all = store->list({});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread));
  for (const WorkspaceRecord& r : *all) {
    EXPECT_EQ(r.remote_id, "r-" + r.key.name);
    EXPECT_EQ(r.create.state, CreateState::kSucceeded);
    EXPECT_EQ(r.conditions.synced.reason, "Synced");
  }
  for (int t = 0; t < kThreads; ++t) {
    auto last = store->get_meta("thread-" + std::to_string(t));
    ASSERT_TRUE(last.is_ok());
    EXPECT_EQ(*last, "ws-" + std::to_string(t) + "-" + std::to_string(kPerThread - 1));
  }
}

// Every record comes back from a store reopened as a restarted process
// would, each whole. How fast is a benchmark's business, not a unit test's
// (the 10,000-workspace diff and resync of tests/bench/run_bench.py read
// this list: docs/PERFORMANCE.md).
TEST_F(SqliteStateStoreTest, ListsTenThousandRecordsAfterAReopen) {
  std::vector<WorkspaceRecord> records;
  for (int i = 0; i < 10'000; ++i) {
    records.push_back(full_record("ns-" + std::to_string(i % 50), "ws-" + std::to_string(i)));
  }
  {
    auto store = open_store();
    ASSERT_TRUE(store->put_all(records));
  }
  auto store = open_store();
  auto all = store->list({});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 10'000u);
  std::map<std::string, const WorkspaceRecord*> by_key;
  for (const auto& record : *all) by_key[record.key.to_string()] = &record;
  EXPECT_EQ(by_key.size(), 10'000u);
  const WorkspaceRecord& last = *by_key.at("ns-49/ws-9999");
  EXPECT_EQ(last.remote_id, records.back().remote_id);
  EXPECT_EQ(last.observed_json, records.back().observed_json);
}

// The shared StateStore contract (state_store_test.cpp) on this store: a
// fresh file per test, reopened as a restarted process would.
class SqliteHarness : public test_support::StoreHarness {
 public:
  SqliteHarness() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wsop-state-test-XXXXXX").string();
    if (mkdtemp(pattern.data())) dir_ = pattern;
  }
  ~SqliteHarness() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  std::unique_ptr<StateStore> open() override {
    Outcome<std::unique_ptr<StateStore>> store =
        open_sqlite_state_store((dir_ / "state.db").string());
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    return store.is_ok() ? std::move(*store) : nullptr;
  }

 private:
  std::filesystem::path dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreTest,
                         ::testing::Values(test_support::StoreKind{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         test_support::store_kind_name);

}  // namespace
}  // namespace wsop::state
