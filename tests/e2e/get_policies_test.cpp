// wsctl get's output, managementPolicy ObserveOnly and CreateOnly, the
// paused annotation and wsctl delete, through the wsctl binary (issue 5,
// items 5 and 6).
#include <gmock/gmock.h>
#include <yaml-cpp/yaml.h>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class E2eGetTest : public CliTest {};

TEST_F(E2eGetTest, ShowsRemoteIdProviderAndConditionsAsTableJsonAndYaml) {
  for (const auto& p : all_providers()) {
    write(p + ".yaml", workspace_yaml("ws-" + p, p, default_spec(p)));
  }
  ASSERT_EQ(apply({"--wait"}).exit_code, 0);
  json items = get_items();
  ASSERT_EQ(items.size(), 3u);

  RunResult table = wsctl({"get"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("REMOTE-ID"));
  EXPECT_THAT(table.out, HasSubstr("READY"));
  EXPECT_THAT(table.out, HasSubstr("SYNCED"));
  RunResult wide = wsctl({"get", "workspaces", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  for (const auto& item : items) {
    std::string id = item["status"]["remoteId"];
    std::string provider = item["spec"]["providerConfigRef"]["name"];
    EXPECT_EQ(item["spec"]["providerType"], provider);
    EXPECT_THAT(table.out, HasSubstr(id));
    EXPECT_THAT(table.out, HasSubstr(" " + provider + " "));
    EXPECT_THAT(wide.out, HasSubstr("default/ws-" + provider));
    const json& conditions = item["status"]["conditions"];
    ASSERT_EQ(conditions.size(), 2u);
    EXPECT_EQ(conditions[0]["type"], "Ready");
    EXPECT_EQ(conditions[0]["status"], "True");
    EXPECT_EQ(conditions[0]["reason"], "Available");
    EXPECT_EQ(conditions[1]["type"], "Synced");
    EXPECT_EQ(conditions[1]["status"], "True");
    EXPECT_EQ(conditions[1]["reason"], "ReconcileSuccess");
    EXPECT_TRUE(item["status"].contains("lastAppliedTime")) << item.dump();
  }

  RunResult yaml = wsctl({"get", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  YAML::Node doc = YAML::Load(yaml.out);
  ASSERT_TRUE(doc["items"].IsSequence());
  ASSERT_EQ(doc["items"].size(), 3u);
  for (const auto& item : doc["items"]) {
    EXPECT_FALSE(item["status"]["remoteId"].as<std::string>().empty());
    EXPECT_EQ(item["status"]["conditions"][0]["type"].as<std::string>(), "Ready");
  }

  RunResult one = wsctl({"get", "ws-cadenya"});
  EXPECT_THAT(one.out, HasSubstr("ws-cadenya"));
  EXPECT_THAT(one.out, Not(HasSubstr("ws-paradigm")));
  RunResult none = wsctl({"get", "-n", "elsewhere"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_THAT(none.err, HasSubstr("No resources found in elsewhere namespace."));
  EXPECT_EQ(wsctl({"get", "-o", "xml"}).exit_code, 2);
}

class E2ePolicyTest : public CliTest {};

TEST_F(E2ePolicyTest, ObserveOnlyNeverWrites) {
  std::string id = create_direct("paradigm", "observed-name");
  int before_p = writes("paradigm");
  write("watched.yaml",
        workspace_yaml("watched", "paradigm",
                       "  managementPolicy: ObserveOnly\n  displayName: Different\n" +
                           default_spec("paradigm"),
                       "  annotations: {workspace-operator.io/external-name: \"" + id + "\"}\n"));
  write("ghost.yaml", workspace_yaml("ghost", "cadenya", "  managementPolicy: ObserveOnly\n"));
  RunResult applied = apply();
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(writes("paradigm"), before_p) << stats("paradigm").dump();
  EXPECT_EQ(writes("cadenya"), 0) << stats("cadenya").dump();
  EXPECT_EQ(get_item("watched")["status"]["remoteId"], id);
  EXPECT_EQ(remote("paradigm", id)["name"], "observed-name");

  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("ObserveOnly"));
  EXPECT_EQ(apply().exit_code, 0);

  // Leaving the source with pruning on forgets it; it is never deleted.
  remove("watched.yaml");
  RunResult pruned = apply({"--prune", "--force"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
  EXPECT_TRUE(get_item("watched").is_null());
  EXPECT_EQ(writes("paradigm"), before_p) << stats("paradigm").dump();
  EXPECT_EQ(writes("cadenya"), 0) << stats("cadenya").dump();
  EXPECT_FALSE(remote("paradigm", id)["deleted"].get<bool>());
}

TEST_F(E2ePolicyTest, CreateOnlyCreatesButNeverUpdates) {
  write("ws.yaml", workspace_yaml("once", "cadenya",
                                  "  managementPolicy: CreateOnly\n  displayName: First\n"));
  ASSERT_EQ(apply().exit_code, 0);
  EXPECT_EQ(calls("cadenya", "create"), 1);
  std::string id = get_item("once")["status"]["remoteId"];
  write("ws.yaml", workspace_yaml("once", "cadenya",
                                  "  managementPolicy: CreateOnly\n  displayName: Second\n"));
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("CreateOnly"));
  RunResult applied = apply();
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(calls("cadenya", "update"), 0);
  EXPECT_EQ(remote("cadenya", id)["metadata"]["name"], "First");
}

TEST_F(E2ePolicyTest, PausedAnnotationSkipsCreateAndUpdate) {
  const std::string paused = "  annotations: {workspace-operator.io/paused: \"true\"}\n";
  write("a.yaml",
        workspace_yaml("steady", "paradigm", "  displayName: One\n" + default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  std::string id = get_item("steady")["status"]["remoteId"];
  write("a.yaml", workspace_yaml("steady", "paradigm",
                                 "  displayName: Two\n" + default_spec("paradigm"), paused));
  write("b.yaml", workspace_yaml("later", "paradigm", default_spec("paradigm"), paused));
  RunResult skipped = apply();
  EXPECT_EQ(skipped.exit_code, 0) << skipped.out << skipped.err;
  EXPECT_EQ(calls("paradigm", "update"), 0);
  EXPECT_EQ(calls("paradigm", "create"), 1);
  EXPECT_EQ(remote("paradigm", id)["name"], "One");
  EXPECT_EQ(diff().exit_code, 0);

  write("a.yaml",
        workspace_yaml("steady", "paradigm", "  displayName: Two\n" + default_spec("paradigm")));
  RunResult resumed = apply();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(calls("paradigm", "update"), 1);
  EXPECT_EQ(remote("paradigm", id)["name"], "Two");
  EXPECT_EQ(calls("paradigm", "create"), 1);
}

TEST_F(E2ePolicyTest, DeleteHonoursDeletionPolicy) {
  write("a.yaml", workspace_yaml("doomed", "cadenya", "  deletionPolicy: Delete\n"));
  write("b.yaml", workspace_yaml("kept", "cadenya", "  deletionPolicy: Orphan\n"));
  ASSERT_EQ(apply().exit_code, 0);
  std::string doomed = get_item("doomed")["status"]["remoteId"];
  std::string kept = get_item("kept")["status"]["remoteId"];
  RunResult deleted = wsctl({"delete", "-f", source()});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_TRUE(remote("cadenya", doomed)["deleted"].get<bool>());
  EXPECT_FALSE(remote("cadenya", kept)["deleted"].get<bool>());
  EXPECT_EQ(get_items().size(), 0u);
  EXPECT_EQ(calls("cadenya", "delete"), 1);
}

// `wsctl delete NAME` works from the state store; credentials live only in
// ProviderConfig manifests, so a remote delete asks for them by name.
TEST_F(E2ePolicyTest, DeleteByNameForgetsOrphansAndAsksForTheProviderConfigOfADelete) {
  write("a.yaml", workspace_yaml("doomed", "cadenya", "  deletionPolicy: Delete\n"));
  write("b.yaml", workspace_yaml("kept", "cadenya", "  deletionPolicy: Orphan\n"));
  ASSERT_EQ(apply().exit_code, 0);
  std::string doomed = get_item("doomed")["status"]["remoteId"];
  std::string kept = get_item("kept")["status"]["remoteId"];

  // One workspace needing its ProviderConfig stops the whole command.
  RunResult refused = wsctl({"delete", "kept", "default/doomed"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("needs ProviderConfig \"cadenya\""));
  EXPECT_THAT(refused.err, HasSubstr("wsctl delete default/doomed -f PATH"));
  EXPECT_THAT(refused.err, HasSubstr("nothing was deleted"));
  EXPECT_EQ(get_items().size(), 2u);

  RunResult forgotten = wsctl({"delete", "kept"});
  EXPECT_EQ(forgotten.exit_code, 0) << forgotten.out << forgotten.err;
  EXPECT_THAT(forgotten.out, HasSubstr("forgotten default/kept (remote " + kept + " kept)"));
  EXPECT_TRUE(get_item("kept").is_null());
  EXPECT_FALSE(remote("cadenya", kept)["deleted"].get<bool>());

  RunResult deleted = wsctl({"delete", "default/doomed", "-f", source() + "/providers.yaml"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
  EXPECT_TRUE(remote("cadenya", doomed)["deleted"].get<bool>());
  EXPECT_TRUE(get_item("doomed").is_null());
  EXPECT_EQ(calls("cadenya", "delete"), 1);

  RunResult unknown = wsctl({"delete", "doomed", "-n", "default"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.out << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("default/doomed is not managed"));
  RunResult nothing = wsctl({"delete"});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.out << nothing.err;
  EXPECT_THAT(nothing.err, HasSubstr("NAME..."));
  EXPECT_EQ(wsctl({"delete", "a/b/c"}).exit_code, 2);
}

}  // namespace
}  // namespace wsop::e2e
