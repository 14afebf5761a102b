// Scheduled backups (`wsctl controller --backup-dir`): each copy is a whole
// store, named by its UTC time, and only the newest --backup-keep remain.
#include "controller/state/backup_schedule.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using test_support::full_record;

class BackupScheduleTest : public test_support::StateDirTest {
 protected:
  BackupScheduleOptions options(int keep, std::chrono::milliseconds every) {
    return {path_, (dir_ / "backups").string(), every, keep};
  }
};

TEST_F(BackupScheduleTest, ACopyHoldsEveryRecordAndOnlyTheNewestAreKept) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->put(full_record("a", "w" + std::to_string(i))));
  std::filesystem::create_directories(dir_ / "backups");
  for (const char* old : {"state-20200101T000000Z.db", "state-20210101T000000Z.db"}) {
    std::ofstream(dir_ / "backups" / old) << "an older backup";
  }
  std::ofstream(dir_ / "backups" / "notes.txt") << "not a backup: left alone";
  BackupSchedule schedule(options(2, std::chrono::hours(1)), nullptr);
  auto written = schedule.run_once();
  ASSERT_TRUE(written) << written.status().to_string();
  auto copy = open_sqlite_state_store(*written);
  ASSERT_TRUE(copy) << copy.status().to_string();
  auto records = (*copy)->list({});
  ASSERT_TRUE(records);
  EXPECT_EQ(records->size(), 5u);
  auto kept = BackupSchedule::list((dir_ / "backups").string());
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0], "state-20210101T000000Z.db");
  EXPECT_EQ(std::filesystem::path(*written).filename().string(), kept[1]);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "backups" / "notes.txt"));
}

TEST_F(BackupScheduleTest, TheScheduleRunsEveryIntervalAndStopsPromptly) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(full_record("a", "w")));
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  BackupSchedule schedule(
      options(3, std::chrono::milliseconds(50)),
      [&](const Outcome<std::string>& written) { (written ? done : failed)++; });
  schedule.start();
  for (int i = 0; i < 200 && done < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto before_stop = std::chrono::steady_clock::now();
  schedule.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before_stop, std::chrono::seconds(5));
  EXPECT_GE(done.load(), 2);
  EXPECT_EQ(failed.load(), 0);
}

TEST_F(BackupScheduleTest, AFailedBackupIsReportedNotFatal) {
  // No store at the state path: the backup is refused with the reason.
  BackupSchedule schedule(options(1, std::chrono::hours(1)), nullptr);
  auto written = schedule.run_once();
  ASSERT_FALSE(written);
  EXPECT_NE(written.status().message().find("does not exist"), std::string::npos)
      << written.status().message();
}

}  // namespace
}  // namespace wsop::state
