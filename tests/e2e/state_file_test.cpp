// The state file as a careless operator handles it (issue 20, item 1): an
// emptied state.db, or a `cp` of it taken while wsctl ran, is refused with
// the way out instead of making every workspace again; `wsctl state backup`
// then a restore keeps every workspace known.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;

class E2eStateFileTest : public CliTest {
 protected:
  void apply_three() {
    for (const auto& p : all_providers()) {
      write(p + ".yaml", workspace_yaml("ws-" + p, p, default_spec(p)));
    }
    RunResult applied = apply();
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }
  int creates() {
    int total = 0;
    for (const auto& p : all_providers()) total += calls(p, "create");
    return total;
  }
};

TEST_F(E2eStateFileTest, AnEmptiedStateFileIsRefusedNotTakenForANewStore) {
  apply_three();
  std::filesystem::resize_file(state_path(), 0);
  std::filesystem::remove(state_path() + "-wal");
  RunResult refused = apply();
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr(state_path() + " is empty (0 bytes)"));
  EXPECT_THAT(refused.err, HasSubstr("--init"));
  EXPECT_EQ(creates(), 3) << "a workspace was created again";
  for (const auto& p : all_providers()) EXPECT_EQ(remote_live(p).size(), 1u) << p;
}

TEST_F(E2eStateFileTest, ABackupRestoresEveryWorkspaceAndNothingIsCreatedAgain) {
  apply_three();
  const std::string backup = dir() + "/backup.db";
  RunResult backed_up = wsctl({"state", "backup", backup});
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.out << backed_up.err;
  EXPECT_THAT(backed_up.out, HasSubstr("backed up"));
  std::filesystem::remove(state_path());
  std::filesystem::remove(state_path() + "-wal");
  std::filesystem::remove(state_path() + "-shm");
  std::filesystem::copy_file(backup, state_path());
  RunResult again = apply();
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("unchanged 3"));
  EXPECT_EQ(creates(), 3);

  RunResult usage = wsctl({"state", "restore", backup});
  EXPECT_EQ(usage.exit_code, 2) << usage.out << usage.err;
}

}  // namespace
}  // namespace wsop::e2e
