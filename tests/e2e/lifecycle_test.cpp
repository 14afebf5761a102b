// Create, no-op re-apply, field updates and immutable changes, through the
// wsctl binary against the simulator (issue 5, item 6).
#include <gmock/gmock.h>

#include <functional>
#include <map>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;

class E2eLifecycleTest : public CliTest {};

TEST_F(E2eLifecycleTest, CreatesOnEachProviderThenReapplySendsNoWrites) {
  for (const auto& p : all_providers()) {
    write(p + ".yaml", workspace_yaml("ws-" + p, p, default_spec(p)));
  }
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("3 to create"));

  RunResult applied = apply({"--wait"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("created 3"));
  std::map<std::string, int> writes_before;
  for (const auto& p : all_providers()) {
    EXPECT_EQ(remote_live(p).size(), 1u) << p;
    EXPECT_EQ(calls(p, "create"), 1) << p;
    writes_before[p] = writes(p);
    json item = get_item("ws-" + p);
    ASSERT_FALSE(item.is_null()) << p;
    EXPECT_EQ(item["status"]["conditions"][0]["status"], "True") << p << item.dump();  // Ready
    EXPECT_EQ(item["status"]["conditions"][1]["status"], "True") << p << item.dump();  // Synced
    EXPECT_FALSE(remote(p, item["status"]["remoteId"].get<std::string>()).is_null()) << p;
  }

  RunResult again = apply();
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("unchanged 3"));
  for (const auto& p : all_providers()) {
    EXPECT_EQ(writes(p), writes_before[p]) << p << ": a no-op apply wrote " << stats(p).dump();
  }
  RunResult clean = diff();
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  write("broken.yaml", workspace_yaml("broken", "paradigm", "  paradigm: {companyId: -3}\n"));
  RunResult invalid = diff();
  EXPECT_EQ(invalid.exit_code, 2) << invalid.out << invalid.err;
  EXPECT_THAT(invalid.err, HasSubstr("broken.yaml"));
  RunResult refused = apply();
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  for (const auto& p : all_providers()) EXPECT_EQ(writes(p), writes_before[p]) << p;
}

TEST_F(E2eLifecycleTest, DiffWithoutRefreshPlansFromTheStateStoreAlone) {
  for (const auto& p : all_providers()) {
    write(p + ".yaml", workspace_yaml("ws-" + p, p, default_spec(p)));
  }
  ASSERT_EQ(apply({"--wait"}).exit_code, 0);
  std::map<std::string, int64_t> calls_before;
  for (const auto& p : all_providers()) calls_before[p] = stats(p).value("total", int64_t{0});

  RunResult clean = diff({"--refresh=false"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  write("cadenya.yaml",
        workspace_yaml("ws-cadenya", "cadenya", "  displayName: Renamed offline\n"));
  RunResult changed = diff({"--refresh=false"});
  EXPECT_EQ(changed.exit_code, 1) << changed.out << changed.err;
  EXPECT_THAT(changed.out, HasSubstr("Renamed offline"));
  EXPECT_THAT(changed.out, HasSubstr("1 to update"));
  for (const auto& p : all_providers()) {
    EXPECT_EQ(stats(p).value("total", int64_t{0}), calls_before[p]) << p << " was asked";
  }
}

// kubectl diff fails when it cannot reach the server; so does wsctl diff
// when a ProviderConfig's API does not answer, and apply reports failures.
TEST_F(E2eLifecycleTest, UnreachableProviderFailsDiffAndApplyInsteadOfNoChanges) {
  write("down.yaml", provider_config_yaml("down", "cadenya", sim_->url("cadenya")));
  write("held.yaml", workspace_yaml("held", "down", ""));
  write("fine.yaml", workspace_yaml("fine", "paradigm", default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  write("down.yaml", provider_config_yaml("down", "cadenya", unreachable_url()));

  // Each diff waits for the HTTP client's retries: few of them here.
  RunResult as_json = diff({"-o", "json"});
  EXPECT_EQ(as_json.exit_code, 2) << as_json.out << as_json.err;
  EXPECT_THAT(as_json.err, HasSubstr("ProviderConfig \"down\" could not be observed: "));
  EXPECT_THAT(as_json.err, HasSubstr("its 1 workspace(s) are unknown"));
  json items = json::parse(as_json.out, nullptr, false)["items"];
  ASSERT_EQ(items.size(), 2u) << as_json.out;
  EXPECT_EQ(items[1]["name"], "held");
  EXPECT_TRUE(items[1]["unobserved"].get<bool>()) << as_json.out;
  EXPECT_EQ(items[1]["action"], "unknown") << as_json.out;
  // Without refresh nothing is asked, so nothing is unreachable.
  RunResult offline = diff({"--refresh=false"});
  EXPECT_EQ(offline.exit_code, 0) << offline.out << offline.err;

  RunResult applied = apply({"--timeout", "30s"});
  EXPECT_EQ(applied.exit_code, 3) << applied.out << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("unchanged 1, failed 1"));

  // A workspace not created yet cannot be planned against it either.
  write("new.yaml", workspace_yaml("new", "down", ""));
  RunResult fresh = diff();
  EXPECT_EQ(fresh.exit_code, 2) << fresh.out << fresh.err;
  EXPECT_THAT(fresh.err, HasSubstr("ProviderConfig \"down\" could not be observed: "));
  EXPECT_THAT(fresh.err, HasSubstr("its 2 workspace(s) are unknown"));
  EXPECT_THAT(fresh.out, HasSubstr("could not be observed"));
  RunResult not_created = apply({"--timeout", "30s"});
  EXPECT_EQ(not_created.exit_code, 3) << not_created.out << not_created.err;
  EXPECT_THAT(not_created.out, HasSubstr("created 0, updated 0, deleted 0, unchanged 1, failed 2"));
}

TEST_F(E2eLifecycleTest, UpdatesParadigmDisplayNameAndDescription) {
  write("ws.yaml",
        workspace_yaml("docs", "paradigm",
                       "  displayName: Docs\n  description: one\n" + default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  std::string id = get_item("docs")["status"]["remoteId"];
  write("ws.yaml",
        workspace_yaml("docs", "paradigm",
                       "  displayName: Docs Two\n  description: two\n" + default_spec("paradigm")));
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1);
  EXPECT_THAT(planned.out, HasSubstr("spec.displayName"));
  EXPECT_THAT(planned.out, HasSubstr("spec.description"));
  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("updated 1"));
  json w = remote("paradigm", id);
  EXPECT_EQ(w["name"], "Docs Two");
  EXPECT_EQ(w["description"], "two");
  EXPECT_EQ(calls("paradigm", "create"), 1);
  EXPECT_EQ(calls("paradigm", "update"), 1);
  EXPECT_EQ(diff().exit_code, 0);
}

TEST_F(E2eLifecycleTest, UpdatesCadenyaNameDescriptionLabelsAndExternalId) {
  write("ws.yaml",
        workspace_yaml("agents", "cadenya", "  displayName: Agents\n  description: one\n",
                       "  labels: {team: a}\n"));
  ASSERT_EQ(apply().exit_code, 0);
  std::string id = get_item("agents")["status"]["remoteId"];
  write("ws.yaml", workspace_yaml("agents", "cadenya",
                                  "  displayName: Agents Two\n  description: two\n"
                                  "  externalId: team-b/agents\n",
                                  "  labels: {team: b, tier: gold}\n"));
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1);
  EXPECT_THAT(planned.out, HasSubstr("spec.externalId"));
  EXPECT_THAT(planned.out, HasSubstr("metadata.labels"));
  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json w = remote("cadenya", id);
  EXPECT_EQ(w["metadata"]["name"], "Agents Two");
  EXPECT_EQ(w["spec"]["description"], "two");
  EXPECT_EQ(w["metadata"]["externalId"], "team-b/agents");
  EXPECT_EQ(w["metadata"]["labels"]["team"], "b");
  EXPECT_EQ(w["metadata"]["labels"]["tier"], "gold");
  EXPECT_TRUE(w["metadata"]["labels"].contains("workspace-operator.io/owner")) << w.dump();
  EXPECT_EQ(remote_live("cadenya").size(), 1u);
  EXPECT_EQ(calls("cadenya", "create"), 1);
  RunResult clean = diff();
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

TEST_F(E2eLifecycleTest, UpdatesAetherHardwareKeepActiveAndPowerState) {
  std::string project = std::string("  aether: {projectId: ") + simtest::kProject;
  write("ws.yaml", workspace_yaml("box", "aether",
                                  "  hardware: {cpuKind: shared, cpus: 2, memoryMb: 2048}\n" +
                                      project + ", keepActive: false}\n"));
  ASSERT_EQ(apply({"--wait"}).exit_code, 0);
  std::string id = get_item("box")["status"]["remoteId"];
  EXPECT_EQ(remote("aether", id)["status"], "running");

  write("ws.yaml", workspace_yaml("box", "aether",
                                  "  hardware: {cpuKind: performance, cpus: 4, memoryMb: 4096, "
                                  "volumeSizeGb: 20}\n" +
                                      project + ", keepActive: true, powerState: Stopped}\n"));
  RunResult applied = apply({"--wait"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json w = remote("aether", id);
  EXPECT_EQ(w["hardware"]["cpu_kind"], "performance");
  EXPECT_EQ(w["hardware"]["cpus"], 4);
  EXPECT_EQ(w["hardware"]["memory_mb"], 4096);
  EXPECT_EQ(w["hardware"]["volume_size_gb"], 20);
  EXPECT_EQ(w["keep_active"], true);
  EXPECT_TRUE(eventually([&] { return remote("aether", id)["status"] == "stopped"; }))
      << remote("aether", id).dump();
  EXPECT_EQ(calls("aether", "stop"), 1);

  write("ws.yaml", workspace_yaml("box", "aether",
                                  "  hardware: {cpuKind: performance, cpus: 4, memoryMb: 4096, "
                                  "volumeSizeGb: 20}\n" +
                                      project + ", keepActive: true, powerState: Running}\n"));
  applied = apply({"--wait"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(calls("aether", "start"), 1);
  EXPECT_EQ(remote("aether", id)["status"], "running");
  EXPECT_EQ(get_item("box")["status"]["conditions"][0]["reason"], "Available");
  EXPECT_EQ(remote_live("aether").size(), 1u);
  EXPECT_EQ(calls("aether", "create"), 1);
  int before = writes("aether");
  RunResult again = apply();
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(writes("aether"), before) << stats("aether").dump();
}

struct ImmutableCase {
  std::string provider;
  std::string before_spec;
  std::string after_spec;
  std::string field;
  std::function<void(const json&)> check_new;
};

class E2eImmutableChangeTest : public CliTest, public ::testing::WithParamInterface<std::string> {};

ImmutableCase immutable_case(const std::string& which) {
  if (which == "ParadigmCompany") {
    return {"paradigm", "  paradigm: {companyId: 1}\n", "  paradigm: {companyId: 2}\n",
            "spec.paradigm.companyId",
            [](const json& w) { EXPECT_EQ(w["company"]["id"], 2) << w.dump(); }};
  }
  if (which == "ParadigmUploadMethod") {
    return {"paradigm", "  paradigm: {companyId: 1, documentUploadMethod: manual}\n",
            "  paradigm: {companyId: 1, documentUploadMethod: synced}\n",
            "spec.paradigm.documentUploadMethod",
            [](const json& w) { EXPECT_EQ(w["document_upload_method"], "synced") << w.dump(); }};
  }
  std::string hw = "  hardware: {cpuKind: shared, cpus: 2, memoryMb: 2048}\n";
  return {"aether", hw + "  aether: {projectId: " + simtest::kProject + "}\n",
          hw + "  aether: {projectId: " + kProject2 + "}\n", "spec.aether.projectId",
          [](const json& w) { EXPECT_EQ(w["project_id"], kProject2) << w.dump(); }};
}

TEST_P(E2eImmutableChangeTest, IsShownRefusedThenReplacedWithAllowReplace) {
  ImmutableCase c = immutable_case(GetParam());
  write("ws.yaml", workspace_yaml("fixed", c.provider, c.before_spec));
  ASSERT_EQ(apply().exit_code, 0);
  std::string old_id = get_item("fixed")["status"]["remoteId"];
  write("ws.yaml", workspace_yaml("fixed", c.provider, c.after_spec));

  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr(c.field));
  EXPECT_THAT(planned.out, HasSubstr("requires replacement"));

  RunResult refused = apply();
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_EQ(calls(c.provider, "delete"), 0);
  EXPECT_EQ(calls(c.provider, "create"), 1);
  json item = get_item("fixed");
  EXPECT_EQ(item["status"]["conditions"][1]["status"], "False") << item.dump();
  EXPECT_EQ(item["status"]["conditions"][1]["reason"], "ReplaceRequired") << item.dump();
  EXPECT_EQ(item["status"]["remoteId"], old_id);

  RunResult replaced = apply({"--allow-replace"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.out << replaced.err;
  json live = remote_live(c.provider);
  ASSERT_EQ(live.size(), 1u) << live.dump();
  std::string new_id = get_item("fixed")["status"]["remoteId"];
  EXPECT_NE(new_id, old_id);
  EXPECT_TRUE(remote(c.provider, old_id)["deleted"].get<bool>());
  c.check_new(remote(c.provider, new_id));
  EXPECT_EQ(calls(c.provider, "delete"), 1);
  EXPECT_EQ(calls(c.provider, "create"), 2);
  EXPECT_EQ(get_item("fixed")["status"]["conditions"][1]["status"], "True");
  EXPECT_EQ(diff().exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Fields, E2eImmutableChangeTest,
                         ::testing::Values("ParadigmCompany", "ParadigmUploadMethod",
                                           "AetherProject"));

}  // namespace
}  // namespace wsop::e2e
