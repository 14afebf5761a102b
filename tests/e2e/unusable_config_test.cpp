// A ProviderConfig that cannot be used (its token unset, its token file
// unreadable, its certificate not trusted) is one error naming it, with its
// manifest's position, once, in `validate --check-credentials`, `diff` and
// `apply` (a credentials.secretRef too: only the kubernetes mode reads it). Its workspaces are
// "unknown" in the plan, never "create", and apply skips them: nothing is sent, nothing recorded,
// and the other ProviderConfigs' workspaces are applied.
#include <filesystem>

#include "common/http/server.h"
#include "tests/common/http/tls_files.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class UnusableConfigE2e : public CliTest {
 protected:
  // ProviderConfig "broken" (a Cadenya type at `base_url`, credentials as
  // given; its document starts on line 1 of broken.yaml) with workspace
  // "stranded", beside workspace "fine" on the working Paradigm config.
  void write_broken(const std::string& base_url, const std::string& credentials) {
    write("broken.yaml",
          "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata:\n"
          "  name: broken\nspec:\n  type: cadenya\n  baseUrl: " +
              base_url + "\n  credentials: " + credentials +
              "\n  timeouts: {connect: 2s, request: 5s}\n---\n" +
              workspace_yaml("stranded", "broken", default_spec("cadenya")));
    write("fine.yaml", workspace_yaml("fine", "paradigm", default_spec("paradigm")));
  }
  std::string sim_cadenya_url() { return sim_->url("cadenya"); }

  // Runs validate --check-credentials, diff and apply, and checks the one
  // error and what each did.
  void expect_one_error_and_nothing_done(const std::string& why) {
    std::string where = source() + "/broken.yaml:1:1: ProviderConfig \"broken\" cannot be used";

    RunResult checked = wsctl({"validate", "-f", source(), "--check-credentials"});
    EXPECT_EQ(checked.exit_code, 2) << checked.err;
    EXPECT_EQ(occurrences(checked.err, "\"broken\""), 1u) << checked.err;
    EXPECT_NE(checked.err.find(where), std::string::npos) << checked.err;
    EXPECT_NE(checked.err.find(why), std::string::npos) << checked.err;
    RunResult offline = wsctl({"validate", "-f", source()});
    EXPECT_EQ(offline.exit_code, 0) << offline.err;

    RunResult planned = diff();
    EXPECT_EQ(planned.exit_code, 2) << planned.err;
    EXPECT_EQ(occurrences(planned.err, "\"broken\""), 1u) << planned.err;
    EXPECT_NE(planned.err.find(where), std::string::npos) << planned.err;
    EXPECT_NE(planned.out.find("? unknown         default/stranded"), std::string::npos)
        << planned.out;
    EXPECT_EQ(planned.out.find("create          default/stranded"), std::string::npos)
        << planned.out;
    EXPECT_NE(planned.out.find("create          default/fine"), std::string::npos) << planned.out;
    EXPECT_NE(planned.out.find("1 unknown"), std::string::npos) << planned.out;

    RunResult applied = apply();
    EXPECT_EQ(applied.exit_code, 3) << applied.out << applied.err;
    EXPECT_EQ(occurrences(applied.err, "\"broken\""), 1u) << applied.err;
    EXPECT_NE(applied.err.find(where), std::string::npos) << applied.err;
    EXPECT_NE(applied.err.find("1 workspace(s) skipped, nothing recorded"), std::string::npos)
        << applied.err;
    EXPECT_EQ(applied.out.find("stranded"), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("created default/fine"), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("failed 0, skipped 1."), std::string::npos) << applied.out;

    EXPECT_TRUE(get_item("stranded").is_null()) << get_items().dump();
    EXPECT_FALSE(get_item("fine").is_null()) << get_items().dump();
    EXPECT_EQ(calls("cadenya", "create"), 0);
    // The one list is the working "cadenya" ProviderConfig's, checked by
    // validate; diff and apply list only the ProviderConfigs in use.
    EXPECT_EQ(calls("cadenya", "list"), 1);
  }
};

TEST_F(UnusableConfigE2e, TokenUnsetIsOneErrorAndItsWorkspacesAreUnknownAndSkipped) {
  ::unsetenv("WSOP_E2E_NEVER_SET_TOKEN");
  write_broken(sim_cadenya_url(), "{env: WSOP_E2E_NEVER_SET_TOKEN}");
  expect_one_error_and_nothing_done("WSOP_E2E_NEVER_SET_TOKEN");
}

TEST_F(UnusableConfigE2e, UnreadableTokenFileIsOneErrorAndItsWorkspacesAreUnknownAndSkipped) {
  std::string tokens = dir() + "/tokens";
  std::filesystem::create_directories(tokens);
  write_broken(sim_cadenya_url(), "{file: " + tokens + "/missing}");
  // The directory is allowed; the file in it does not exist.
  RunResult checked =
      wsctl({"validate", "-f", source(), "--check-credentials", "--credentials-dir", tokens});
  EXPECT_EQ(checked.exit_code, 2) << checked.err;
  EXPECT_EQ(occurrences(checked.err, "\"broken\""), 1u) << checked.err;
  RunResult planned = on_source("diff", {"--credentials-dir", tokens});
  EXPECT_EQ(planned.exit_code, 2) << planned.err;
  EXPECT_EQ(occurrences(planned.err, "\"broken\""), 1u) << planned.err;
  EXPECT_NE(planned.out.find("? unknown         default/stranded"), std::string::npos)
      << planned.out;
  RunResult applied = on_source("apply", {"--credentials-dir", tokens});
  EXPECT_EQ(applied.exit_code, 3) << applied.out << applied.err;
  EXPECT_EQ(occurrences(applied.err, "\"broken\""), 1u) << applied.err;
  EXPECT_TRUE(get_item("stranded").is_null()) << get_items().dump();
  EXPECT_EQ(calls("cadenya", "list"), 1);  // validate's check of the working one
}

// A Secret is read through the Kubernetes API: the file and git modes
// refuse a secretRef as they refuse an unset token, while a plain validate
// only warns at the field, so manifests meant for a cluster validate.
TEST_F(UnusableConfigE2e, SecretRefNeedsTheKubernetesMode) {
  write_broken(sim_cadenya_url(), "{secretRef: {namespace: ops, name: cadenya, key: token}}");
  const std::string needs =
      "credentials.secretRef needs the kubernetes mode (wsctl controller --source kubernetes)";
  expect_one_error_and_nothing_done(needs);

  RunResult offline = wsctl({"validate", "-f", source()});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_NE(offline.err.find(source() +
                             "/broken.yaml:8:28: spec.credentials.secretRef: warning: " + needs),
            std::string::npos)
      << offline.err;
  RunResult listed = wsctl({"validate", "-f", source(), "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json items = json::parse(listed.out)["items"];
  json expected = {{"namespace", "ops"}, {"name", "cadenya"}, {"key", "token"}};
  bool shown = false;
  for (const json& item : items) {
    if (item["kind"] == "ProviderConfig" && item["metadata"]["name"] == "broken") {
      EXPECT_EQ(item["spec"]["credentials"], json({{"secretRef", expected}})) << item.dump();
      shown = true;
    }
  }
  EXPECT_TRUE(shown) << listed.out;
}

TEST_F(UnusableConfigE2e, UntrustedCertificateIsOneErrorAndNoRequestReachesTheServer) {
  simtest::TlsFiles cert;
  ASSERT_TRUE(cert.ok());
  http::ServerOptions options;
  options.tls_cert_file = cert.cert_file();
  options.tls_key_file = cert.key_file();
  std::atomic<int> requests{0};
  http::Server server(options, [&requests](const http::Request&) {
    ++requests;
    http::Response response;
    response.body = R"({"items": []})";
    return response;
  });
  ASSERT_TRUE(server.start().is_ok());
  write_broken(server.url(), "{env: WSOP_E2E_TOKEN}");
  expect_one_error_and_nothing_done("TLS");
  EXPECT_EQ(requests.load(), 0);
}

// A list that fails for want of reach is no verdict on the ProviderConfig:
// apply still tries its workspaces, which record what they met.
TEST_F(UnusableConfigE2e, AnUnreachableAccountIsNotSetAside) {
  write_broken(unreachable_url(), "{env: WSOP_E2E_TOKEN}");
  RunResult applied = apply();
  EXPECT_EQ(applied.exit_code, 3) << applied.out << applied.err;
  EXPECT_EQ(applied.err.find("cannot be used"), std::string::npos) << applied.err;
  EXPECT_NE(applied.err.find("observing broken"), std::string::npos) << applied.err;
}

}  // namespace
}  // namespace wsop::e2e
