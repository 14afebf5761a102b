// `wsctl diff -o markdown|json` for pull requests (docs/GITOPS.md), honest
// plans (paused, unknown, a create's fields), and source directories that
// hold other Kubernetes documents, through the wsctl binary against the
// simulator.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class E2eDiffOutputTest : public CliTest {
 protected:
  // What a kustomize directory holds beside the workspaces.
  void write_foreign_documents() {
    write("kustomization.yaml", "resources: [keep.yaml, held.yaml]\nnamespace: default\n");
    write("namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n");
  }
};

const char* const kPaused = "  annotations: {workspace-operator.io/paused: \"true\"}\n";

TEST_F(E2eDiffOutputTest, MarkdownAndJsonShowCreatesUpdatesAndPausedWorkspaces) {
  write_foreign_documents();
  write("keep.yaml", workspace_yaml("keep", "cadenya", "  description: first\n"));
  write("held.yaml", workspace_yaml("held", "paradigm", default_spec("paradigm")));
  RunResult applied = apply();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_THAT(applied.err, HasSubstr("namespace.yaml:1:1: skipped kind Namespace (apiVersion v1): "
                                     "not a workspace-operator.io resource"));
  EXPECT_THAT(applied.err, HasSubstr("kustomization.yaml:1:1: skipped kustomize file"));

  write("keep.yaml", workspace_yaml("keep", "cadenya", "  description: second | <b>@team</b>\n"));
  write("held.yaml", workspace_yaml("held", "paradigm", default_spec("paradigm"), kPaused));
  write("fresh.yaml", workspace_yaml("fresh", "cadenya", "  displayName: Fresh one\n"));

  RunResult markdown = diff({"-o", "markdown"});
  EXPECT_EQ(markdown.exit_code, 1) << markdown.out << markdown.err;  // changes, not a failure
  const std::string& md = markdown.out;
  EXPECT_EQ(md.rfind("### wsctl diff\n\n**Plan:** 1 to create or adopt, 1 to update", 0), 0u) << md;
  EXPECT_THAT(md, HasSubstr("1 paused"));
  EXPECT_THAT(md, HasSubstr("#### ProviderConfig <code>cadenya</code>: 1 create, 1 update"));
  EXPECT_THAT(md, HasSubstr("#### ProviderConfig <code>paradigm</code>: 1 paused"));
  EXPECT_THAT(md, HasSubstr("+ <code>spec&#46;displayName</code> = <code>\"Fresh one\"</code>"));
  EXPECT_THAT(md, HasSubstr("<code>spec&#46;description</code>: <code>\"first\"</code> → "));
  EXPECT_THAT(md, Not(HasSubstr("<b>@team")));
  // Nothing of the credentials: neither the token nor where it comes from.
  EXPECT_THAT(md, Not(HasSubstr("e2e-token")));
  EXPECT_THAT(md, Not(HasSubstr(kTokenEnv)));

  RunResult as_json = diff({"-o", "json"});
  EXPECT_EQ(as_json.exit_code, 1) << as_json.err;
  json plan = json::parse(as_json.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << as_json.out;
  EXPECT_EQ(plan["apiVersion"], "wsctl.workspace-operator.io/v1");
  EXPECT_EQ(plan["kind"], "Plan");
  EXPECT_EQ(plan["summary"]["create"], 1);
  EXPECT_EQ(plan["summary"]["update"], 1);
  EXPECT_EQ(plan["summary"]["paused"], 1);
  EXPECT_EQ(plan["summary"]["noop"], 0);
  EXPECT_EQ(plan["summary"]["total"], 3);
  for (const auto& item : plan["items"]) {
    if (item["name"] == "held") {
      EXPECT_EQ(item["action"], "paused");
      EXPECT_EQ(item["plannedAction"], "skip");
    } else if (item["name"] == "fresh") {
      EXPECT_EQ(item["action"], "create");
      EXPECT_FALSE(item["attributes"].empty()) << item.dump();
    }
  }
  EXPECT_THAT(as_json.out, Not(HasSubstr("e2e-token")));

  RunResult text = diff();
  EXPECT_THAT(text.out, HasSubstr("  paused          default/held (paradigm)"));
  EXPECT_THAT(text.out, HasSubstr("+ create          default/fresh (cadenya)\n"));
  EXPECT_THAT(text.out, HasSubstr("      + spec.displayName = \"Fresh one\"\n"));
  EXPECT_THAT(text.out, HasSubstr("0 unchanged, 1 paused."));
}

// A known remote that cannot be read is "unknown", with the reason, not
// unchanged and not a create; diff exits 2.
TEST_F(E2eDiffOutputTest, AnUnreadableRemoteIsUnknownInEveryFormat) {
  write("down.yaml", provider_config_yaml("down", "cadenya", sim_->url("cadenya")));
  write("dark.yaml", workspace_yaml("dark", "down", ""));
  ASSERT_EQ(apply().exit_code, 0);
  write("down.yaml", provider_config_yaml("down", "cadenya", unreachable_url()));

  // Each diff waits for the HTTP client's retries: one run, in Markdown.
  RunResult markdown = diff({"-o", "markdown"});
  EXPECT_EQ(markdown.exit_code, 2) << markdown.out << markdown.err;
  EXPECT_THAT(markdown.out, HasSubstr("1 unknown"));
  EXPECT_THAT(markdown.out, HasSubstr("| ? | unknown | <code>default/dark</code> |"));
  EXPECT_THAT(markdown.out, HasSubstr("could not be observed&#58; "));
  EXPECT_THAT(markdown.out, Not(HasSubstr("| + | create")));
  EXPECT_THAT(markdown.err, HasSubstr("ProviderConfig \"down\" could not be observed: "));
  EXPECT_THAT(markdown.err, HasSubstr("its 1 workspace(s) are unknown"));
}

TEST_F(E2eDiffOutputTest, ValidateSkipsForeignDocumentsButNotOurMisspeltOnes) {
  write_foreign_documents();
  write("keep.yaml", workspace_yaml("keep", "cadenya", ""));
  RunResult valid = wsctl({"validate", "-f", source()});
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(valid.err, HasSubstr("skipped kind Namespace (apiVersion v1)"));
  EXPECT_THAT(valid.out, HasSubstr("1 Workspace(s)"));

  write("typo.yaml",
        "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspaces\nmetadata: {name: x}\n");
  RunResult invalid = wsctl({"validate", "-f", source()});
  EXPECT_EQ(invalid.exit_code, 2) << invalid.err;
  EXPECT_THAT(invalid.err, HasSubstr("typo.yaml:2:7: kind: unsupported value \"Workspaces\""));
}

// A directory of Workspaces whose ProviderConfigs are kept elsewhere (a
// platform team's repository): --provider-configs reads them from there,
// and only them.
TEST_F(E2eDiffOutputTest, WorkspacesValidateAgainstProviderConfigsKeptElsewhere) {
  std::string team = dir() + "/team";
  std::string platform = dir() + "/platform.yaml";
  std::filesystem::create_directories(team);
  {
    std::ofstream out(team + "/ws.yaml");
    out << workspace_yaml("team-ws", "shared", default_spec("paradigm"));
  }
  {
    std::ofstream out(platform);
    out << provider_config_yaml("shared", "paradigm", sim_->url("paradigm")) << "---\n"
        << workspace_yaml("platform-ws", "shared", default_spec("paradigm"));
  }
  RunResult alone = wsctl({"validate", "-f", team});
  EXPECT_EQ(alone.exit_code, 2) << alone.err;
  EXPECT_THAT(alone.err, HasSubstr("\"shared\""));

  RunResult paired = wsctl({"validate", "-f", team, "--provider-configs", platform});
  EXPECT_EQ(paired.exit_code, 0) << paired.err;
  EXPECT_THAT(paired.out, HasSubstr("1 ProviderConfig(s), 1 Workspace(s)"));
  EXPECT_THAT(paired.err, HasSubstr("platform.yaml:11:1: <document>: skipped kind Workspace: "
                                    "--provider-configs files are read for their "
                                    "ProviderConfigs only"));

  RunResult planned = wsctl({"diff", "-f", team, "--provider-configs", platform});
  EXPECT_EQ(planned.exit_code, 1) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("create          default/team-ws"));
  EXPECT_THAT(planned.out, Not(HasSubstr("platform-ws")));
}

}  // namespace
}  // namespace wsop::e2e
