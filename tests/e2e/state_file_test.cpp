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

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

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

// The state file is lost outright (deleted, or a new volume): the next apply
// starts a new store. Cadenya's workspaces carry the owner label and their
// externalId, so they are adopted; a Paradigm name already taken in the
// company is reported with the import command. Aether has no identity to
// look up (docs/OPERATIONS.md): there a backup is the protection.
TEST_F(E2eStateFileTest, ALostStateFileAdoptsCadenyaAndReportsParadigmNames) {
  apply_three();
  std::filesystem::remove(state_path());
  std::filesystem::remove(state_path() + "-wal");
  std::filesystem::remove(state_path() + "-shm");
  RunResult again = apply();
  EXPECT_EQ(again.exit_code, 3) << again.out << again.err;  // a workspace failed
  EXPECT_THAT(again.out, HasSubstr("adopted default/ws-cadenya"));
  EXPECT_EQ(calls("cadenya", "create"), 1) << again.out;
  EXPECT_EQ(calls("paradigm", "create"), 1) << again.out;
  EXPECT_EQ(remote_live("cadenya").size(), 1u);
  EXPECT_EQ(remote_live("paradigm").size(), 1u);
  json cadenya = get_item("ws-cadenya");
  EXPECT_EQ(cadenya["status"]["conditions"][1]["reason"], "ReconcileSuccess") << cadenya.dump();
  json paradigm = get_item("ws-paradigm");
  std::string id = id_string(remote_live("paradigm")[0]["id"]);
  EXPECT_EQ(paradigm["status"]["conditions"][1]["reason"], "AlreadyExists") << paradigm.dump();
  EXPECT_THAT(paradigm.dump(), HasSubstr("wsctl import ws-paradigm -n default --id " + id));

  // Importing it is the way out named in the condition: then all is synced.
  RunResult imported =
      wsctl({"import", "ws-paradigm", "-n", "default", "--id", id, "-f", source()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  RunResult settled = apply();
  EXPECT_EQ(settled.exit_code, 0) << settled.out << settled.err;
  EXPECT_EQ(calls("paradigm", "create"), 1);
}

// Paradigm accepts two workspaces of one name; a ProviderConfig that allows
// them gets the second create it asks for.
TEST_F(E2eStateFileTest, AllowDuplicateNamesLetsTheSecondParadigmCreateGoAhead) {
  apply_three();
  std::string configs = read_file(source() + "/providers.yaml");
  const std::string company = "  paradigm: {companyId: 1}\n";
  size_t at = configs.find(company);
  ASSERT_NE(at, std::string::npos) << configs;
  configs.replace(at, company.size(), "  paradigm: {companyId: 1, allowDuplicateNames: true}\n");
  write("providers.yaml", configs);
  std::filesystem::remove(state_path());
  std::filesystem::remove(state_path() + "-wal");
  std::filesystem::remove(state_path() + "-shm");
  RunResult again = apply();
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(calls("paradigm", "create"), 2);
  EXPECT_EQ(remote_live("paradigm").size(), 2u);
}

}  // namespace
}  // namespace wsop::e2e
