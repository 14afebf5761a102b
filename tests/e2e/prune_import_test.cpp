// Prune (deletionPolicy Delete and Orphan, the empty-source and --max-prune
// guards), import, the external-name annotation and forget, through the
// wsctl binary against the simulator (issue 5, item 6).
#include <gmock/gmock.h>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;

class E2ePruneTest : public CliTest {};

TEST_F(E2ePruneTest, FollowsDeletionPolicyDeleteAndOrphan) {
  write("a.yaml", workspace_yaml("keep-p", "paradigm", default_spec("paradigm")));
  write("b.yaml", workspace_yaml("keep-c", "cadenya", ""));
  write("c.yaml", workspace_yaml("gone-delete", "paradigm",
                                 "  deletionPolicy: Delete\n" + default_spec("paradigm")));
  write("d.yaml", workspace_yaml("gone-orphan", "cadenya", "  deletionPolicy: Orphan\n"));
  ASSERT_EQ(apply().exit_code, 0);
  std::string deleted_id = get_item("gone-delete")["status"]["remoteId"];
  std::string orphan_id = get_item("gone-orphan")["status"]["remoteId"];
  remove("c.yaml");
  remove("d.yaml");

  // Without --prune nothing leaves.
  RunResult kept = apply();
  EXPECT_EQ(kept.exit_code, 0) << kept.out << kept.err;
  EXPECT_EQ(calls("paradigm", "delete") + calls("cadenya", "delete"), 0);
  EXPECT_EQ(get_items().size(), 4u);

  RunResult planned = diff({"--prune"});
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("delete          default/gone-delete"));
  EXPECT_THAT(planned.out, HasSubstr("orphan          default/gone-orphan"));

  RunResult pruned = apply({"--prune"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
  EXPECT_TRUE(remote("paradigm", deleted_id)["deleted"].get<bool>());
  EXPECT_FALSE(remote("cadenya", orphan_id)["deleted"].get<bool>())
      << "Orphan must keep the remote";
  EXPECT_EQ(calls("paradigm", "delete"), 1);
  EXPECT_EQ(calls("cadenya", "delete"), 0);
  EXPECT_TRUE(get_item("gone-delete").is_null());
  EXPECT_TRUE(get_item("gone-orphan").is_null());
  EXPECT_EQ(get_items().size(), 2u);
  EXPECT_EQ(diff({"--prune"}).exit_code, 0);
}

TEST_F(E2ePruneTest, RefusesAnEmptySourceAndTooManyUnlessForced) {
  for (const char* name : {"one", "two", "three"}) {
    write(std::string(name) + ".yaml", workspace_yaml(name, "paradigm", default_spec("paradigm")));
  }
  ASSERT_EQ(apply().exit_code, 0);
  ASSERT_EQ(remote_live("paradigm").size(), 3u);

  // A source with no workspaces (only the ProviderConfigs) never prunes.
  for (const char* name : {"one", "two", "three"}) remove(std::string(name) + ".yaml");
  RunResult empty = apply({"--prune"});
  EXPECT_EQ(empty.exit_code, 2) << empty.out << empty.err;
  EXPECT_THAT(empty.err, HasSubstr("no workspaces"));
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_EQ(remote_live("paradigm").size(), 3u);
  EXPECT_EQ(get_items().size(), 3u);

  // Two of three (67%) is more than the default --max-prune of 50%.
  write("one.yaml", workspace_yaml("one", "paradigm", default_spec("paradigm")));
  RunResult too_many = apply({"--prune"});
  EXPECT_EQ(too_many.exit_code, 2) << too_many.out << too_many.err;
  EXPECT_THAT(too_many.err, HasSubstr("--max-prune"));
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_EQ(remote_live("paradigm").size(), 3u);
  RunResult stricter = apply({"--prune", "--max-prune", "10"});
  EXPECT_EQ(stricter.exit_code, 2) << stricter.out << stricter.err;

  RunResult forced = apply({"--prune", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("deleted 2"));
  EXPECT_EQ(calls("paradigm", "delete"), 2);
  EXPECT_EQ(remote_live("paradigm").size(), 1u);
  EXPECT_EQ(get_items().size(), 1u);

  // --force also overrides the empty-source guard.
  remove("one.yaml");
  RunResult all = apply({"--prune", "--force"});
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_EQ(remote_live("paradigm").size(), 0u);
  EXPECT_EQ(get_items().size(), 0u);
}

// Paused means hands off, deletes included (Crossplane's pause annotation):
// the pause is remembered after the manifest leaves the source.
TEST_F(E2ePruneTest, NeverPrunesOrDeletesAWorkspacePausedWhenItLeftTheSource) {
  const std::string paused = "  annotations: {workspace-operator.io/paused: \"true\"}\n";
  write("keep.yaml", workspace_yaml("keep", "paradigm", default_spec("paradigm")));
  write("held.yaml", workspace_yaml("held", "paradigm", default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  std::string id = get_item("held")["status"]["remoteId"];
  write("held.yaml", workspace_yaml("held", "paradigm", default_spec("paradigm"), paused));
  RunResult recorded = apply();
  ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  remove("held.yaml");

  RunResult planned = diff({"--prune", "-o", "json"});
  EXPECT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  json items = json::parse(planned.out, nullptr, false)["items"];
  ASSERT_EQ(items.size(), 2u) << planned.out;
  EXPECT_EQ(items[0]["name"], "held");
  EXPECT_EQ(items[0]["action"], "paused");
  EXPECT_EQ(items[0]["plannedAction"], "skip");
  EXPECT_THAT(items[0]["note"].get<std::string>(), HasSubstr("paused"));
  RunResult pruned = apply({"--prune"});
  EXPECT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
  RunResult deleted = wsctl({"delete", "held", "-f", source()});
  EXPECT_EQ(deleted.exit_code, 3) << deleted.out << deleted.err;
  EXPECT_THAT(deleted.err, HasSubstr("default/held is paused"));
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_FALSE(remote("paradigm", id)["deleted"].get<bool>());
  json held = get_item("held");
  ASSERT_FALSE(held.is_null());
  EXPECT_EQ(held["metadata"]["annotations"]["workspace-operator.io/paused"], "true") << held.dump();

  // Unpausing (the manifest back without the annotation) lets prune act.
  write("held.yaml", workspace_yaml("held", "paradigm", default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  remove("held.yaml");
  RunResult resumed = apply({"--prune"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_TRUE(remote("paradigm", id)["deleted"].get<bool>());
  EXPECT_TRUE(get_item("held").is_null());
  EXPECT_FALSE(get_item("keep")["metadata"].contains("annotations"));
}

// The owner check holds for a delete by name as it does for prune: a
// workspace another operator instance created is never deleted by this one,
// with the source or from the state store alone.
TEST_F(E2ePruneTest, DeleteNeverTouchesAnotherInstancesWorkspace) {
  write("theirs.yaml", workspace_yaml("theirs", "paradigm", default_spec("paradigm")));
  ASSERT_EQ(apply({"--instance-id", "other"}).exit_code, 0);
  std::string id = get_item("theirs")["status"]["remoteId"];

  RunResult refused = wsctl({"delete", "theirs", "-f", source()});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("default/theirs is owned by operator instance \"other\""));
  RunResult by_name = wsctl({"delete", "theirs"});
  EXPECT_EQ(by_name.exit_code, 3) << by_name.out << by_name.err;
  EXPECT_THAT(by_name.err, HasSubstr("owned by operator instance \"other\""));
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_FALSE(remote("paradigm", id)["deleted"].get<bool>());
  EXPECT_FALSE(get_item("theirs").is_null());

  RunResult owner = wsctl({"delete", "theirs", "-f", source(), "--instance-id", "other"});
  EXPECT_EQ(owner.exit_code, 0) << owner.out << owner.err;
  EXPECT_THAT(owner.out, HasSubstr("deleted default/theirs (remote " + id + ")"));
  EXPECT_TRUE(remote("paradigm", id)["deleted"].get<bool>());
  EXPECT_TRUE(get_item("theirs").is_null());
}

// The manifest an adopted workspace gets: one mutable field differs from
// what create_direct made, so the first apply updates it.
std::string adopted_spec(const std::string& provider) {
  if (provider == "aether") {
    return std::string("  hardware: {cpuKind: shared, cpus: 2, memoryMb: 2048}\n") +
           "  aether: {projectId: " + simtest::kProject + ", keepActive: true}\n";
  }
  return "  displayName: Adopted\n" + default_spec(provider);
}

void expect_adopted_fields(const std::string& provider, const json& w) {
  if (provider == "paradigm") {
    EXPECT_EQ(w["name"], "Adopted") << w.dump();
  }
  if (provider == "cadenya") {
    EXPECT_EQ(w["metadata"]["name"], "Adopted") << w.dump();
    EXPECT_EQ(w["metadata"]["externalId"], "default/adopted") << w.dump();
  }
  if (provider == "aether") {
    EXPECT_EQ(w["keep_active"], true) << w.dump();
  }
}

class E2eAdoptTest : public CliTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(E2eAdoptTest, ImportThenApplyAdoptsWithoutCreateAndForgetLeavesTheRemote) {
  const std::string p = GetParam();
  std::string id = create_direct(p, "made-elsewhere");
  ASSERT_FALSE(id.empty());
  write("ws.yaml", workspace_yaml("adopted", p, adopted_spec(p)));

  RunResult missing = wsctl({"import", "nope", "--id", id, "-f", source()});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  RunResult imported = wsctl({"import", "adopted", "-n", "default", "--id", id, "-f", source()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  json item = get_item("adopted");
  EXPECT_EQ(item["status"]["remoteId"], id);
  EXPECT_EQ(item["status"]["origin"], "imported");

  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(calls(p, "create"), 1) << "only the direct create";
  EXPECT_EQ(remote_live(p).size(), 1u);
  expect_adopted_fields(p, remote(p, id));
  EXPECT_EQ(get_item("adopted")["status"]["conditions"][1]["status"], "True");
  int before = writes(p);
  EXPECT_EQ(apply().exit_code, 0);
  EXPECT_EQ(writes(p), before) << stats(p).dump();

  RunResult forgotten = wsctl({"forget", "adopted", "-n", "default"});
  ASSERT_EQ(forgotten.exit_code, 0) << forgotten.out << forgotten.err;
  EXPECT_TRUE(get_item("adopted").is_null());
  EXPECT_EQ(writes(p), before);
  EXPECT_FALSE(remote(p, id)["deleted"].get<bool>());
}

TEST_P(E2eAdoptTest, ExternalNameAnnotationAdoptsWithoutCreate) {
  const std::string p = GetParam();
  std::string id = create_direct(p, "made-elsewhere");
  ASSERT_FALSE(id.empty());
  write("ws.yaml",
        workspace_yaml("adopted", p, adopted_spec(p),
                       "  annotations: {workspace-operator.io/external-name: \"" + id + "\"}\n"));
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("adopt"));
  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(calls(p, "create"), 1) << "only the direct create";
  EXPECT_EQ(remote_live(p).size(), 1u);
  json item = get_item("adopted");
  EXPECT_EQ(item["status"]["remoteId"], id);
  EXPECT_EQ(item["status"]["origin"], "adopted");
  expect_adopted_fields(p, remote(p, id));
  EXPECT_EQ(diff().exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Providers, E2eAdoptTest,
                         ::testing::Values("paradigm", "cadenya", "aether"));

}  // namespace
}  // namespace wsop::e2e
