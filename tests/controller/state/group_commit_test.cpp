// Group commit: writers queued behind a commit share the next transaction,
// each write keeps or loses only its own changes, and a transaction that
// fails takes every write of its group with it.
#include "controller/state/group_commit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/state/sqlite_statement.h"

namespace wsop::state::sqlite {
namespace {

using namespace std::chrono_literals;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_connection(":memory:");
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    db_ = std::move(*opened);
    ASSERT_TRUE(exec(db_.get(), "CREATE TABLE t (v TEXT PRIMARY KEY)").is_ok());
    sqlite3_commit_hook(db_.get(), &GroupCommitTest::count_commit, &commits_);
  }

  static int count_commit(void* counter) {
    ++*static_cast<int*>(counter);
    return 0;  // let it commit
  }

  // A write inserting `value` (run with the connection held).
  GroupCommit::Write insert(const std::string& value) {
    return [this, value] { return exec(db_.get(), "INSERT INTO t VALUES ('" + value + "')"); };
  }

  std::vector<std::string> rows() {
    std::lock_guard connection(connection_mutex_);
    auto stmt = prepare(db_.get(), "SELECT v FROM t ORDER BY v");
    std::vector<std::string> values;
    StatementUse use(db_.get(), stmt->get());
    while (*use.step()) values.push_back(use.text(0));
    return values;
  }

  // Runs `first` on its own thread, holding the commit in its write until
  // `behind` writers have queued after it, then lets every one go; returns
  // each writer's status (first's at index 0).
  std::vector<Status> run_queued_behind(GroupCommit& writes, const GroupCommit::Write& first,
                                        const std::vector<GroupCommit::Write>& behind) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    GroupCommit::Write held = [&] {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return release; });
      return first();
    };
    std::vector<Status> statuses(behind.size() + 1, Status::ok());
    std::vector<std::thread> threads;
    threads.emplace_back([&] { statuses[0] = writes.run(held); });
    while (writes.queued() < 1) std::this_thread::sleep_for(1ms);
    for (std::size_t i = 0; i < behind.size(); ++i) {
      threads.emplace_back([&, i] { statuses[i + 1] = writes.run(behind[i]); });
      while (writes.queued() < i + 2) std::this_thread::sleep_for(1ms);
    }
    {
      std::lock_guard lock(mu);
      release = true;
    }
    cv.notify_all();
    for (std::thread& thread : threads) thread.join();
    return statuses;
  }

  Connection db_;
  std::mutex connection_mutex_;
  int commits_ = 0;
};

TEST_F(GroupCommitTest, AWriteAloneCommitsAtOnce) {
  GroupCommit writes(db_.get(), connection_mutex_);
  EXPECT_TRUE(writes.run(insert("a")).is_ok());
  EXPECT_EQ(commits_, 1);
  EXPECT_EQ(rows(), std::vector<std::string>{"a"});
  EXPECT_EQ(writes.queued(), 0u);
}

TEST_F(GroupCommitTest, WritersQueuedBehindACommitShareTheNextOne) {
  GroupCommit writes(db_.get(), connection_mutex_);
  auto statuses = run_queued_behind(writes, insert("a"), {insert("b"), insert("c"), insert("d")});
  for (const Status& status : statuses) EXPECT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(commits_, 2);  // "a" alone, then b, c and d together
  EXPECT_EQ(rows(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(GroupCommitTest, AGroupHoldsAtMostMaxGroupWrites) {
  GroupCommit writes(db_.get(), connection_mutex_, /*max_group=*/2);
  auto statuses = run_queued_behind(writes, insert("a"), {insert("b"), insert("c"), insert("d")});
  for (const Status& status : statuses) EXPECT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(commits_, 3);  // a, then b+c, then d
  EXPECT_EQ(rows().size(), 4u);
}

TEST_F(GroupCommitTest, AFailingWriteIsRolledBackAloneAndReportsItsOwnError) {
  GroupCommit writes(db_.get(), connection_mutex_);
  GroupCommit::Write half_done = [&] {
    Status inserted = exec(db_.get(), "INSERT INTO t VALUES ('half')");
    if (!inserted) return inserted;
    return Status::error(Code::kConflict, "refused after writing");
  };
  auto statuses = run_queued_behind(writes, insert("a"), {insert("b"), half_done, insert("c")});
  EXPECT_TRUE(statuses[1].is_ok());
  EXPECT_EQ(statuses[2].code(), Code::kConflict);
  EXPECT_EQ(statuses[2].message(), "refused after writing");
  EXPECT_TRUE(statuses[3].is_ok());
  EXPECT_EQ(rows(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(GroupCommitTest, ATransactionRolledBackUnderneathFailsEveryWriteOfTheGroup) {
  GroupCommit writes(db_.get(), connection_mutex_);
  // What SQLite does by itself after SQLITE_FULL or an I/O error: the whole
  // transaction is gone, so "b" must not be reported as stored.
  GroupCommit::Write rolls_back = [&] { return exec(db_.get(), "ROLLBACK"); };
  auto statuses = run_queued_behind(writes, insert("a"), {insert("b"), rolls_back, insert("c")});
  EXPECT_TRUE(statuses[0].is_ok());
  for (std::size_t i = 1; i < statuses.size(); ++i) {
    EXPECT_FALSE(statuses[i].is_ok()) << i;
    EXPECT_NE(statuses[i].message().find("transaction rolled back"), std::string::npos)
        << statuses[i].message();
  }
  EXPECT_EQ(rows(), std::vector<std::string>{"a"});
  EXPECT_TRUE(writes.run(insert("d")).is_ok());  // the next group starts clean
  EXPECT_EQ(rows(), (std::vector<std::string>{"a", "d"}));
}

TEST_F(GroupCommitTest, ManyThreadsEachSeeTheirOwnWriteStored) {
  GroupCommit writes(db_.get(), connection_mutex_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string value = std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(writes.run(insert(value)).is_ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(rows().size(), 400u);
  EXPECT_LE(commits_, 400);
}

}  // namespace
}  // namespace wsop::state::sqlite
