// The read-only store `wsctl get` uses: it reads beside a writer that holds
// the file (the controller, an apply), while two writers stay refused.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "controller/state/sqlite_state_store.h"
#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using test_support::full_record;

class ReadOnlyStoreTest : public test_support::StateDirTest {};

TEST_F(ReadOnlyStoreTest, ReadsWhileAWriterHoldsTheStoreAndSeesItsLatestCommit) {
  auto writer = open_store();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->put(full_record("a", "x")));
  auto reader = open_sqlite_state_store_read_only(path_);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto listed = (*reader)->list({});
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], full_record("a", "x"));
  // A commit made after the reader opened is visible to its next read.
  ASSERT_TRUE(writer->put(full_record("b", "y")));
  auto again = (*reader)->get({"b", "y"});
  ASSERT_TRUE(again.is_ok() && again->has_value()) << again.status().to_string();
  EXPECT_EQ(**again, full_record("b", "y"));
}

TEST_F(ReadOnlyStoreTest, TwoWritersAreStillRefusedWhileAReaderIsOpen) {
  auto writer = open_store();
  ASSERT_NE(writer, nullptr);
  auto reader = open_sqlite_state_store_read_only(path_);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto second_writer = open_sqlite_state_store(path_);
  ASSERT_FALSE(second_writer.is_ok());
  EXPECT_EQ(second_writer.status().code(), Code::kConflict);
  // The reader took no lock: with the writer gone, a new writer opens
  // although the reader is still open.
  writer.reset();
  EXPECT_NE(open_store(), nullptr);
}

TEST_F(ReadOnlyStoreTest, RefusesEveryWrite) {
  {
    auto writer = open_store();
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(writer->put(full_record("a", "x")));
  }
  auto reader = open_sqlite_state_store_read_only(path_);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->put(full_record("b", "y")).code(), Code::kInvalid);
  EXPECT_EQ((*reader)->remove({"a", "x"}).code(), Code::kInvalid);
  EXPECT_EQ((*reader)->set_meta("k", "v").code(), Code::kInvalid);
  EXPECT_EQ((*reader)->begin_create(full_record("c", "z"), Time{}).status().code(), Code::kInvalid);
  auto still = (*reader)->list({});
  ASSERT_TRUE(still.is_ok());
  EXPECT_EQ(still->size(), 1u);
}

TEST_F(ReadOnlyStoreTest, AMissingFileIsNotFoundAndNothingIsCreated) {
  std::string missing = (dir_ / "sub" / "state.db").string();
  auto reader = open_sqlite_state_store_read_only(missing);
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.status().code(), Code::kNotFound);
  EXPECT_EQ(reader.status().message(), "no state store at " + missing);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "sub"));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".lock"));
}

TEST_F(ReadOnlyStoreTest, AFileWithoutAStoreIsRefusedUnchanged) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE other (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto size_before = std::filesystem::file_size(path_);
  auto reader = open_sqlite_state_store_read_only(path_);
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.status().code(), Code::kInvalid);
  EXPECT_EQ(std::filesystem::file_size(path_), size_before);
}

TEST_F(ReadOnlyStoreTest, AnOlderSchemaIsRefusedUnmigratedWithWhatMigratesIt) {
  ASSERT_NE(open_store(), nullptr);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 1", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto reader = open_sqlite_state_store_read_only(path_);
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.status().code(), Code::kInvalid);
  EXPECT_NE(reader.status().message().find("schema version 1, older"), std::string::npos)
      << reader.status().message();
  EXPECT_NE(reader.status().message().find("apply"), std::string::npos);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);  // not migrated by the reader
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace wsop::state
