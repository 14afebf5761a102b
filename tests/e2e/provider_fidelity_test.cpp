// What the vendors' own pages allow and the operator must survive, through
// the wsctl binary (docs/PROVIDERS.md): account defaults that are not the
// documented ones, a company-scoped Paradigm list, trimmed strings, a token
// without create rights, late initialisation, fields a provider never
// receives, and the provider facts people want to see.
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitFailed = 3;  // wsctl: some workspaces failed

class E2eFidelityTest : public CliTest {
 protected:
  json synced(const std::string& name) { return get_item(name)["status"]["conditions"][1]; }

  // A Paradigm workspace made on the simulator in `company`, bypassing wsctl.
  std::string paradigm_direct(int company, const std::string& name, const std::string& method) {
    simtest::Reply reply =
        client("paradigm")
            .post("/api/v3/instance/workspaces",
                  {{"name", name}, {"company_id", company}, {"document_upload_method", method}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return id_string(reply.json()["id"]);
  }

  std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
};

// An omitted hardware takes the account's defaults, which here are not the
// documented ones: the lookup after the lost create matches only what was
// sent, finds the one workspace and adopts it; nothing is created twice.
TEST_F(E2eFidelityTest, AetherLostCreateWithoutHardwareUnderOtherAccountDefaultsIsAdopted) {
  sim::SimConfig config = e2e_config();
  sim::aether::options_of(config).default_hardware = {"performance", 4, 4096, 20, std::nullopt};
  restart(config);
  write("ws.yaml",
        workspace_yaml("bare", "aether",
                       std::string("  aether: {projectId: ") + simtest::kProject + "}\n"));
  set_faults("aether", {{"dropAfterCreateRate", 1.0}});
  RunResult first = apply();
  set_faults("aether", {{"dropAfterCreateRate", 0.0}});
  ASSERT_EQ(calls("aether", "create"), 1);
  RunResult second = apply();
  json live = remote_live("aether");
  ASSERT_EQ(live.size(), 1u) << live.dump() << first.err << second.err;
  EXPECT_EQ(live[0]["hardware"]["cpu_kind"], "performance");
  EXPECT_EQ(synced("bare")["status"], "True") << get_item("bare").dump();
  EXPECT_EQ(get_item("bare")["status"]["remoteId"], live[0]["id"]);
  EXPECT_EQ(calls("aether", "create"), 1);
}

// A workspace in a company the token's list does not cover: the lost
// create's lookup proves nothing there, so the operator waits and reports,
// never creating a second one.
TEST_F(E2eFidelityTest, ParadigmLostCreateOutsideTheListedCompanyIsNeverRepeated) {
  write("ws.yaml", workspace_yaml("far", "paradigm", "  paradigm: {companyId: 2}\n"));
  set_faults("paradigm", {{"dropAfterCreateRate", 1.0}});
  apply();
  set_faults("paradigm", {{"dropAfterCreateRate", 0.0}});
  RunResult second = apply();
  EXPECT_EQ(second.exit_code, kExitFailed) << second.out << second.err;
  EXPECT_EQ(calls("paradigm", "create"), 1);
  EXPECT_EQ(remote_live("paradigm").size(), 1u);
  json condition = synced("far");
  EXPECT_EQ(condition["status"], "False");
  EXPECT_THAT(condition["message"].get<std::string>(), HasSubstr("not company 2"));
}

// GET answers 403 for a deleted workspace. In the listed company the list
// proves it gone (created again, as drift); in another company nothing
// proves it, so it is reported and nothing is created.
TEST_F(E2eFidelityTest, ParadigmHiddenWorkspaceIsRecreatedOnlyWhereTheListProvesIt) {
  write("near.yaml", workspace_yaml("near", "paradigm", "  paradigm: {companyId: 1}\n"));
  write("far.yaml", workspace_yaml("far", "paradigm", "  paradigm: {companyId: 2}\n"));
  ASSERT_EQ(apply().exit_code, 0);
  for (const char* name : {"near", "far"}) {
    std::string id = get_item(name)["status"]["remoteId"];
    ASSERT_EQ(client("paradigm").del("/api/v3/workspaces/" + id).status, 204);
  }
  RunResult again = apply();
  EXPECT_EQ(again.exit_code, kExitFailed) << again.out << again.err;
  EXPECT_EQ(calls("paradigm", "create"), 3);  // two, then "near" once more
  EXPECT_EQ(synced("near")["status"], "True");
  json far = synced("far");
  EXPECT_EQ(far["status"], "False") << far.dump();
  EXPECT_THAT(far["message"].get<std::string>(), HasSubstr("wsctl forget"));
}

// Django REST framework trims: a block scalar's trailing newline is no
// difference, so the second apply and a resync write nothing.
TEST_F(E2eFidelityTest, ParadigmTrimmedDescriptionAppliesOnceThenNoDiff) {
  write("ws.yaml", workspace_yaml("trim", "paradigm",
                                  "  displayName: \"  Spaced name \"\n"
                                  "  description: |\n    two lines\n    of text\n" +
                                      default_spec("paradigm")));
  ASSERT_EQ(apply().exit_code, 0);
  int before = writes("paradigm");
  RunResult plan = diff();
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_EQ(apply().exit_code, 0);
  EXPECT_EQ(writes("paradigm"), before);
}

// A token without the right to create: one POST answered 403, the other
// workspaces answered from memory, each Synced=False reason Forbidden with
// one message naming the ProviderConfig.
TEST_F(E2eFidelityTest, ParadigmForbiddenCreateIsPermanentAndNamesTheProviderConfig) {
  sim::SimConfig config = e2e_config();
  sim::paradigm::options_of(config).readonly_tokens = {"e2e-token"};
  restart(config);
  for (const char* name : {"one", "two", "three"}) {
    write(std::string(name) + ".yaml", workspace_yaml(name, "paradigm", default_spec("paradigm")));
  }
  // One worker: the creates go one after another, so the answer to the
  // first is known before the second would be sent.
  RunResult run = apply({"--workers", "1"});
  EXPECT_EQ(run.exit_code, kExitFailed) << run.out << run.err;
  EXPECT_EQ(calls("paradigm", "create"), 1) << stats("paradigm").dump();
  EXPECT_EQ(remote_live("paradigm").size(), 0u);
  for (const char* name : {"one", "two", "three"}) {
    json condition = synced(name);
    EXPECT_EQ(condition["reason"], "Forbidden") << condition.dump();
    EXPECT_THAT(condition["message"].get<std::string>(),
                HasSubstr("ProviderConfig \"paradigm\": its token may not create"));
  }
}

// GET shows no company: import checks it through the company list.
TEST_F(E2eFidelityTest, ParadigmImportRefusesAWorkspaceOfAnotherCompany) {
  std::string other = paradigm_direct(2, "elsewhere", "manual");
  std::string mine = paradigm_direct(1, "here", "manual");
  write("ws.yaml", workspace_yaml("ws", "paradigm", default_spec("paradigm")));
  RunResult refused = wsctl({"import", "ws", "--id", other, "-f", source()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("is not in company 1"));
  RunResult taken = wsctl({"import", "ws", "--id", mine, "-f", source()});
  EXPECT_EQ(taken.exit_code, 0) << taken.err;
}

// documentUploadMethod left unset takes the remote's value on adoption:
// no replacement, no difference.
TEST_F(E2eFidelityTest, ParadigmUnsetUploadMethodIsLateInitialisedNotReplaced) {
  std::string id = paradigm_direct(1, "synced-one", "synced");
  write("ws.yaml",
        workspace_yaml("adopted", "paradigm",
                       "  displayName: synced-one\n  paradigm: {companyId: 1}\n",
                       "  annotations: {workspace-operator.io/external-name: \"" + id + "\"}\n"));
  RunResult run = apply();
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(diff().exit_code, 0);
  EXPECT_EQ(calls("paradigm", "create"), 1);  // only paradigm_direct's
  EXPECT_EQ(calls("paradigm", "delete"), 0);
  EXPECT_EQ(get_item("adopted")["status"]["observed"]["documentUploadMethod"], "synced");
}

// Fields Aether never receives: a positioned warning in validate and diff
// (exit codes unchanged), a local-only note when changed, and the reason in
// `get -o wide`.
TEST_F(E2eFidelityTest, FieldsTheProviderNeverReceivesAreWarnedAndLocalOnly) {
  auto manifest = [&](const std::string& description) {
    return workspace_yaml("quiet", "aether",
                          "  description: " + description + "\n" + default_spec("aether"),
                          "  labels: {team: a}\n");
  };
  write("ws.yaml", manifest("first"));
  RunResult checked = wsctl({"validate", "-f", source()});
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_THAT(checked.err, HasSubstr("ws.yaml:6:11: metadata.labels: warning: not sent to aether"));
  EXPECT_THAT(checked.err, HasSubstr("ws.yaml:9:16: spec.description: warning: not sent"));
  ASSERT_EQ(apply().exit_code, 0);
  write("ws.yaml", manifest("second"));
  int before = writes("aether");
  RunResult plan = diff();
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("local only"));
  EXPECT_THAT(plan.err, HasSubstr("spec.description: warning"));
  ASSERT_EQ(apply({"--wait"}).exit_code, 0);
  EXPECT_EQ(writes("aether"), before);
  // The Synced condition says it (get -o wide shows it once Ready has
  // nothing to say, which depends on provisioning's timing).
  EXPECT_THAT(synced("quiet")["message"].get<std::string>(),
              HasSubstr("not sent to aether: spec.description, metadata.labels"));
}

// Every field a provider never receives is warned at its position: Aether's
// displayName, Paradigm's labels and an externalId beyond identity.
TEST_F(E2eFidelityTest, EveryFieldAProviderNeverReceivesIsWarnedAtItsPosition) {
  write("a.yaml",
        workspace_yaml("box", "aether", "  displayName: Build box\n" + default_spec("aether")));
  write("p.yaml",
        workspace_yaml("docs", "paradigm", "  externalId: docs-1\n" + default_spec("paradigm"),
                       "  labels: {team: legal}\n"));
  RunResult checked = wsctl({"validate", "-f", source()});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_THAT(checked.err, HasSubstr("a.yaml:8:16: spec.displayName: warning: not sent to aether"));
  EXPECT_THAT(checked.err,
              HasSubstr("p.yaml:6:11: metadata.labels: warning: not sent to paradigm"));
  EXPECT_THAT(checked.err, HasSubstr("p.yaml:9:15: spec.externalId: warning: not sent to "
                                     "paradigm"));
}

// `get -o wide` gives the reason where it matters: each row names the fields
// its provider never receives, an Aether externalId included; changing
// Paradigm's labels is local only, recorded and sent nowhere.
TEST_F(E2eFidelityTest, WideOutputNamesTheFieldsNeverSentAndTheirChangeIsLocalOnly) {
  write("a.yaml", workspace_yaml("quiet", "aether",
                                 "  externalId: box-1\n  displayName: Build box\n"
                                 "  description: hello\n" +
                                     default_spec("aether"),
                                 "  labels: {team: a}\n"));
  auto docs = [&](const std::string& team) {
    return workspace_yaml("docs", "paradigm", "  externalId: docs-1\n" + default_spec("paradigm"),
                          "  labels: {team: " + team + "}\n");
  };
  write("p.yaml", docs("legal"));
  RunResult applied = apply({"--wait"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto row = [&](const std::string& name) {
    std::istringstream table(wsctl({"get", "-o", "wide"}).out);
    for (std::string line; std::getline(table, line);) {
      if (line.find(" " + name + " ") != std::string::npos) return line;
    }
    return std::string();
  };
  std::string quiet = row("quiet");
  EXPECT_THAT(quiet, HasSubstr("not sent to aether: "));
  for (const char* field :
       {"spec.displayName", "spec.description", "metadata.labels", "spec.externalId"}) {
    EXPECT_THAT(quiet, HasSubstr(field)) << quiet;
  }
  EXPECT_THAT(row("docs"), HasSubstr("not sent to paradigm: metadata.labels, spec.externalId"));

  write("p.yaml", docs("finance"));
  int before = writes("paradigm");
  RunResult plan = diff();
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("local only"));
  EXPECT_EQ(apply().exit_code, 0);
  EXPECT_EQ(writes("paradigm"), before) << stats("paradigm").dump();
  EXPECT_THAT(plan.out + diff().out, Not(HasSubstr("~ update")));
  EXPECT_THAT(row("docs"), HasSubstr("not sent to paradigm: metadata.labels"));
}

// machine_id and private_ip shown; preview_token, a credential, never read.
TEST_F(E2eFidelityTest, ProviderFactsAreShownAndThePreviewTokenNeverStored) {
  write("a.yaml", workspace_yaml("box", "aether", default_spec("aether")));
  write("p.yaml", workspace_yaml("docs", "paradigm", default_spec("paradigm")));
  RunResult applied = apply({"--wait"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json remote_box = remote_live("aether")[0];
  std::string token = remote_box.value("preview_token", "");
  ASSERT_FALSE(token.empty()) << remote_box.dump();
  RunResult wide = wsctl({"get", "-o", "wide"});
  EXPECT_THAT(wide.out, HasSubstr("machineId=" + remote_box["machine_id"].get<std::string>()));
  EXPECT_THAT(wide.out, HasSubstr("privateIp=" + remote_box["private_ip"].get<std::string>()));
  json facts = get_item("docs")["status"]["observed"]["atProvider"];
  EXPECT_TRUE(facts.contains("usedStorage")) << facts.dump();
  EXPECT_TRUE(facts.contains("filesCount")) << facts.dump();
  RunResult as_json = wsctl({"get", "-o", "json"});
  EXPECT_THAT(as_json.out, Not(HasSubstr(token)));
  EXPECT_THAT(applied.out + applied.err, Not(HasSubstr(token)));
  EXPECT_THAT(wide.out, Not(HasSubstr(token)));
  // The store and its write-ahead log, if a closed store left one behind:
  // what was observed is there (so the search can fail), the token is not.
  std::string stored = file_text(state_path()) + file_text(state_path() + "-wal");
  EXPECT_THAT(stored, HasSubstr(remote_box["machine_id"].get<std::string>()));
  EXPECT_THAT(stored, Not(HasSubstr(token)));
}

}  // namespace
}  // namespace wsop::e2e
