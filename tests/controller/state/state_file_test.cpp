// A state file that exists must hold a store (issue 20, item 1): an empty,
// tableless or damaged file is refused, never taken for a new store, which
// would make every workspace be created again; `wsctl state backup`'s copy
// is consistent while the store is open, where `cp` of the main file is not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "controller/state/sqlite_backup.h"
#include "controller/state/sqlite_state_store.h"
#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using test_support::full_record;

class StateFileTest : public test_support::StateDirTest {
 protected:
  Status refusal() {
    auto store = open_sqlite_state_store(path_);
    return store ? Status::ok() : store.status();
  }
  static bool mentions(const Status& s, const std::string& text) {
    return s.message().find(text) != std::string::npos;
  }
  size_t records_in(const std::string& path) {
    auto store = open_sqlite_state_store(path);
    EXPECT_TRUE(store) << store.status().to_string();
    if (!store) return 0;
    auto all = (*store)->list({});
    return all ? all->size() : 0;
  }
};

TEST_F(StateFileTest, AMissingFileStartsANewStore) {
  EXPECT_NE(open_store(), nullptr);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(StateFileTest, AZeroLengthFileIsRefusedAndLeftAlone) {
  std::ofstream(path_).close();
  Status s = refusal();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_TRUE(mentions(s, path_ + " is empty (0 bytes)")) << s.message();
  EXPECT_TRUE(mentions(s, "--init")) << s.message();
  EXPECT_TRUE(mentions(s, "wsctl state backup")) << s.message();
  EXPECT_EQ(std::filesystem::file_size(path_), 0u);
}

TEST_F(StateFileTest, InitStartsANewStoreOverAnEmptyFile) {
  std::ofstream(path_).close();
  SqliteStateStoreOptions options;
  options.init = true;
  auto store = open_sqlite_state_store(path_, options);
  ASSERT_TRUE(store) << store.status().to_string();
  ASSERT_TRUE((*store)->put(full_record("a", "x")));
  store->reset();
  EXPECT_EQ(records_in(path_), 1u);  // a store now: opens without --init
}

// `cp state.db` while wsctl runs: the tables are still in the -wal file.
TEST_F(StateFileTest, ACopyOfTheMainFileTakenWhileInUseIsRefused) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(store->put(full_record("a", "w" + std::to_string(i))));
  const std::string copy = (dir_ / "copy.db").string();
  std::filesystem::copy_file(path_, copy);
  auto restored = open_sqlite_state_store(copy);
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.status().code(), Code::kInvalid);
  EXPECT_TRUE(mentions(restored.status(), copy)) << restored.status().message();
}

TEST_F(StateFileTest, ATablelessDatabaseIsRefusedWithoutBeingChanged) {
  // A valid SQLite file holding only someone else's table.
  std::string cmd = "python3 -c \"import sqlite3; c=sqlite3.connect('" + path_ +
                    "'); c.execute('create table notes(x)'); c.commit()\"";
  ASSERT_EQ(system(cmd.c_str()), 0);
  Status s = refusal();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_TRUE(mentions(s, "holds no state store tables")) << s.message();
  std::string tables = "python3 -c \"import sqlite3,sys; c=sqlite3.connect('" + path_ +
                       "'); sys.exit(0 if [r[0] for r in c.execute('select name from "
                       "sqlite_master')] == ['notes'] else 1)\"";
  EXPECT_EQ(system(tables.c_str()), 0) << "the refused file was changed";
}

TEST_F(StateFileTest, ATruncatedStoreIsRefused) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(store->put(full_record("a", "w" + std::to_string(i))));
    }
  }  // closed: checkpointed into the main file
  auto size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 64u * 1024);
  std::filesystem::resize_file(path_, size / 2);
  Status s = refusal();
  ASSERT_FALSE(s.is_ok()) << "a truncated store was opened";
}

TEST_F(StateFileTest, ABackupTakenWhileTheStoreIsOpenHasEveryCommit) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(store->put(full_record("a", "w" + std::to_string(i))));
  const std::string backup = (dir_ / "backups" / "state.db").string();
  std::filesystem::create_directories(dir_ / "backups");
  Status s = backup_sqlite_state_store(path_, backup);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_TRUE(store->put(full_record("a", "after")));  // the store is still usable
  EXPECT_EQ(records_in(backup), 30u);
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));
  // Taken again, it replaces the older copy.
  ASSERT_TRUE(backup_sqlite_state_store(path_, backup).is_ok());
  EXPECT_EQ(records_in(backup), 31u);
}

TEST_F(StateFileTest, BackingUpNothingIsRefused) {
  const std::string backup = (dir_ / "backup.db").string();
  Status missing = backup_sqlite_state_store(path_, backup);
  EXPECT_EQ(missing.code(), Code::kInvalid);
  EXPECT_TRUE(mentions(missing, "does not exist")) << missing.message();
  std::ofstream(path_).close();
  Status empty = backup_sqlite_state_store(path_, backup);
  EXPECT_EQ(empty.code(), Code::kInvalid) << empty.to_string();
  EXPECT_FALSE(std::filesystem::exists(backup));
}

}  // namespace
}  // namespace wsop::state
