// wsctl get with kubectl's habits, through the binary: read-only beside a
// writer that holds the store, NS/NAME, -n, -A, -l, -o name, not found, the
// paused display; kubectl's --dry-run=client|none|server and -R; and
// `wsctl completion`.
#include <gmock/gmock.h>

#include <fstream>

#include "controller/state/sqlite_state_store.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string in_namespace(std::string yaml, const std::string& ns) {
  const std::string from = "namespace: default";
  yaml.replace(yaml.find(from), from.size(), "namespace: " + ns);
  return yaml;
}

class E2eGetHabitsTest : public CliTest {
 protected:
  // default/alpha (team=blue), default/beta (team=red), team/alpha.
  void apply_three() {
    const std::string spec = default_spec("cadenya");
    write("a.yaml", workspace_yaml("alpha", "cadenya", spec, "  labels: {team: blue}\n"));
    write("b.yaml", workspace_yaml("beta", "cadenya", spec, "  labels: {team: red}\n"));
    write("c.yaml", in_namespace(workspace_yaml("alpha", "cadenya", spec), "team"));
    RunResult applied = apply();
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }
  RunResult program(const std::vector<std::string>& args) {
    return run_program(wsctl_path(), args, dir());
  }
};

TEST_F(E2eGetHabitsTest, GetReadsTheStoreWhileAWriterHoldsItAndASecondWriterIsRefused) {
  apply_three();
  // Held open for writing, as the controller holds it for its lifetime.
  auto writer = state::open_sqlite_state_store(state_path());
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  RunResult listed = wsctl({"get"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("alpha"));
  EXPECT_THAT(listed.out, HasSubstr("beta"));
  EXPECT_THAT(listed.err, Not(HasSubstr("in use")));
  RunResult as_json = wsctl({"get", "-o", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_EQ(json::parse(as_json.out)["items"].size(), 3u);
  // diff plans beside the writer too: it records nothing.
  RunResult planned = diff();
  EXPECT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_THAT(planned.err, Not(HasSubstr("in use")));
  // A writer's change is visible to the next get while the writer stays.
  ASSERT_TRUE((*writer)->remove({"default", "beta"}));
  EXPECT_THAT(wsctl({"get"}).out, Not(HasSubstr("beta")));
  // Writers still exclude each other.
  RunResult second = apply();
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("is in use by"));
  RunResult forget = wsctl({"forget", "alpha"});
  EXPECT_NE(forget.exit_code, 0);
  EXPECT_THAT(forget.err, HasSubstr("is in use by"));
}

TEST_F(E2eGetHabitsTest, NamesNamespacesAndAllNamespaces) {
  apply_three();
  auto names = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"get", "-o", "name"});
    RunResult r = wsctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(names({"team/alpha"}), "workspace.workspace-operator.io/alpha\n");
  EXPECT_EQ(names({"alpha", "-n", "team"}), "workspace.workspace-operator.io/alpha\n");
  EXPECT_EQ(names({"-n", "default"}),
            "workspace.workspace-operator.io/alpha\nworkspace.workspace-operator.io/beta\n");
  EXPECT_EQ(names({"-A"}),
            "workspace.workspace-operator.io/alpha\n"
            "workspace.workspace-operator.io/beta\n"
            "workspace.workspace-operator.io/alpha\n");
  EXPECT_EQ(names({"-n", "default", "--all-namespaces"}), names({}));
  RunResult table = wsctl({"get", "workspaces", "default/beta"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("beta"));
  EXPECT_THAT(table.out, Not(HasSubstr("alpha")));
  RunResult yaml = wsctl({"get", "team/alpha", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_THAT(yaml.out, HasSubstr("namespace: \"team\""));
}

TEST_F(E2eGetHabitsTest, ANameThatDoesNotExistIsNotFoundWithExitOne) {
  apply_three();
  RunResult missing = wsctl({"get", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("workspace \"nope\" not found"));
  RunResult wrong_ns = wsctl({"get", "team/beta"});
  EXPECT_EQ(wrong_ns.exit_code, 1);
  EXPECT_THAT(wrong_ns.err, HasSubstr("workspace \"team/beta\" not found"));
  // The ones found are still printed; the exit says one was missing.
  RunResult some = wsctl({"get", "beta", "nope", "-o", "name"});
  EXPECT_EQ(some.exit_code, 1);
  EXPECT_EQ(some.out, "workspace.workspace-operator.io/beta\n");
  // No store yet: nothing is managed, an empty list, as kubectl says it.
  std::filesystem::remove(state_path());
  RunResult empty = wsctl({"get"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
  EXPECT_THAT(empty.err, HasSubstr("No resources found"));
  EXPECT_FALSE(std::filesystem::exists(state_path()));  // get created nothing
  EXPECT_EQ(wsctl({"get", "nope"}).exit_code, 1);
}

TEST_F(E2eGetHabitsTest, ASelectorPicksByTheManifestsLabels) {
  apply_three();
  RunResult blue = wsctl({"get", "-l", "team=blue", "-f", source(), "-o", "name"});
  ASSERT_EQ(blue.exit_code, 0) << blue.err;
  EXPECT_EQ(blue.out, "workspace.workspace-operator.io/alpha\n");
  RunResult not_blue = wsctl({"get", "-l", "team!=blue", "-f", source(), "-n", "default"});
  ASSERT_EQ(not_blue.exit_code, 0) << not_blue.err;
  EXPECT_THAT(not_blue.out, HasSubstr("beta"));
  EXPECT_THAT(not_blue.out, Not(HasSubstr("alpha")));
  RunResult without_source = wsctl({"get", "-l", "team=blue"});
  EXPECT_EQ(without_source.exit_code, 2);
  EXPECT_THAT(without_source.err, HasSubstr("-f PATH"));
  RunResult in_set = wsctl({"get", "-l", "team in (blue,green)", "-f", source(), "-o", "name"});
  ASSERT_EQ(in_set.exit_code, 0) << in_set.err;
  EXPECT_EQ(in_set.out, "workspace.workspace-operator.io/alpha\n");
  // Not a selector: refused with the term named, by get and by the
  // commands that act (nothing applied).
  RunResult bad = wsctl({"get", "-l", "team among (blue)", "-f", source()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("term 1 \"team among (blue)\""));
  RunResult bad_apply = wsctl({"apply", "-l", "team in (blue", "-f", source()});
  EXPECT_EQ(bad_apply.exit_code, 2);
  EXPECT_THAT(bad_apply.err, HasSubstr("unbalanced parentheses"));
}

TEST_F(E2eGetHabitsTest, APausedWorkspaceShowsReadyUnknownPaused) {
  const std::string spec = default_spec("paradigm");
  write("a.yaml", workspace_yaml("steady", "paradigm", spec));
  ASSERT_EQ(apply().exit_code, 0);
  EXPECT_EQ(get_item("steady")["status"]["conditions"][0]["status"], "True");
  write("a.yaml", workspace_yaml("steady", "paradigm", spec,
                                 "  annotations: {workspace-operator.io/paused: \"true\"}\n"));
  ASSERT_EQ(apply().exit_code, 0);
  RunResult table = wsctl({"get", "steady"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("Unknown"));
  EXPECT_THAT(table.out, HasSubstr("Paused"));
  json ready = get_item("steady")["status"]["conditions"][0];
  EXPECT_EQ(ready["type"], "Ready");
  EXPECT_EQ(ready["status"], "Unknown");
  EXPECT_EQ(ready["reason"], "Paused");
  // Only the display: the stored record keeps what the reconciler saw.
  auto store = state::open_sqlite_state_store_read_only(state_path());
  ASSERT_TRUE(store.is_ok());
  auto record = (*store)->get({"default", "steady"});
  ASSERT_TRUE(record.is_ok() && record->has_value());
  EXPECT_TRUE((*record)->paused);
  EXPECT_NE((*record)->conditions.ready.reason, "Paused");
}

TEST_F(E2eGetHabitsTest, DryRunModesAndRecursiveAreAccepted) {
  write("a.yaml", workspace_yaml("one", "aether", default_spec("aether")));
  for (const char* flag : {"--dry-run=client", "--dry-run"}) {
    RunResult planned = apply({flag, "-R"});
    EXPECT_EQ(planned.exit_code, 0) << flag << planned.err;
    EXPECT_EQ(writes("aether"), 0) << flag;
  }
  RunResult server = apply({"--dry-run=server"});
  EXPECT_EQ(server.exit_code, 2);
  EXPECT_THAT(server.err, HasSubstr("--dry-run=server is not supported"));
  EXPECT_EQ(writes("aether"), 0);
  RunResult none = apply({"--dry-run=none", "--recursive"});
  EXPECT_EQ(none.exit_code, 0) << none.out << none.err;
  EXPECT_EQ(calls("aether", "create"), 1);
}

TEST_F(E2eGetHabitsTest, CompletionScriptsNameTheCommandsFlagsAndOutputs) {
  RunResult bash = program({"completion", "bash"});
  ASSERT_EQ(bash.exit_code, 0) << bash.err;
  std::string script = dir() + "/wsctl.bash";
  std::ofstream(script) << bash.out;
  RunResult syntax = run_program("/bin/bash", {"-n", script}, dir());
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  auto complete = [&](const std::string& words, int cword) {
    RunResult r = run_program("/bin/bash",
                              {"-c", "source " + script + "; COMP_WORDS=(" + words +
                                         "); COMP_CWORD=" + std::to_string(cword) +
                                         "; _wsctl; printf '%s\\n' \"${COMPREPLY[@]}\""},
                              dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(complete("wsctl ge", 1), "get\n");
  EXPECT_EQ(complete("wsctl get -o ''", 3), "name\nwide\njson\nyaml\n");
  EXPECT_THAT(complete("wsctl get --all", 2), HasSubstr("--all-namespaces"));
  EXPECT_THAT(complete("wsctl apply --dry", 2), HasSubstr("--dry-run=client"));
  EXPECT_EQ(complete("wsctl completion f", 2), "fish\n");
  for (const std::string shell : {"zsh", "fish"}) {
    RunResult r = program({"completion", shell});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"apply", "get", "completion", "all-namespaces", "yaml"}) {
      EXPECT_THAT(r.out, HasSubstr(word)) << shell;
    }
  }
  RunResult unknown = program({"completion", "tcsh"});
  EXPECT_EQ(unknown.exit_code, 2);
}

}  // namespace
}  // namespace wsop::e2e
