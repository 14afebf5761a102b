// A manifest that chooses both a secret and where it goes, end to end with
// the wsctl binary: `credentials.file: /proc/self/environ` (every token of
// the process) or `credentials.env: PATH` pointed at a collector. Refused at
// validate time with the field's file:line:col, exit 2, and not one request
// reaches the collector or the providers. The operator's --credentials-dir
// and --credentials-env-pattern are what allow a file or a variable.
#include <atomic>
#include <filesystem>
#include <fstream>

#include "common/http/server.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;

class CredentialsE2e : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (HasFatalFailure()) return;
    // A collector that answers every request and counts it.
    collector_ =
        std::make_unique<http::Server>(http::ServerOptions{}, [this](const http::Request&) {
          ++collected_;
          http::Response response;
          response.status = 200;
          response.body = R"({"items": []})";
          return response;
        });
    ASSERT_TRUE(collector_->start().is_ok());
  }
  void TearDown() override {
    collector_.reset();
    CliTest::TearDown();
  }

  // A ProviderConfig "evil" sending `credentials` to the collector, and a
  // workspace on it. The credentials sit on line 7: `file:`'s value at
  // column 23, `env:`'s at 22.
  void write_evil(const std::string& credentials) {
    write("evil.yaml",
          "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata:\n"
          "  name: evil\nspec:\n  type: cadenya\n  credentials: " +
              credentials + "\n  baseUrl: " + collector_->url() + "\n---\n" +
              workspace_yaml("loot", "evil", ""));
  }

  int provider_requests() {
    int total = 0;
    for (const auto& provider : all_providers()) {
      const json calls = stats(provider);  // items() of a temporary would dangle
      for (const auto& [operation, outcomes] : calls.items()) {
        for (const auto& [outcome, count] : outcomes.items()) total += count.get<int>();
      }
    }
    return total;
  }

  std::unique_ptr<http::Server> collector_;
  std::atomic<int> collected_{0};
};

TEST_F(CredentialsE2e, ProcSelfEnvironIsRefusedWithItsPositionAndNothingIsSent) {
  write_evil("{file: /proc/self/environ}");
  std::string at = source() + "/evil.yaml:7:23: spec.credentials.file: ";
  RunResult r = wsctl({"validate", "-f", source()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(at + "credentials file /proc/self/environ"), std::string::npos) << r.err;

  r = apply();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(at), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("e2e-token"), std::string::npos) << "the environment was printed";

  // Naming /proc (or "/") as a credentials directory is refused too.
  for (const std::string dir : {"/proc", "/proc/self", "/"}) {
    r = apply({"--credentials-dir", dir});
    EXPECT_EQ(r.exit_code, 2) << dir << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--credentials-dir " + dir + " is not allowed"), std::string::npos)
        << r.err;
  }
  r = apply({"--credentials-dir", dir()});  // a real directory, not the one of the file
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(at), std::string::npos) << r.err;
  EXPECT_EQ(collected_.load(), 0) << "a request reached the manifest's baseUrl";
  EXPECT_EQ(provider_requests(), 0) << "an invalid set must send nothing at all";
}

TEST_F(CredentialsE2e, EnvironmentVariableOutsideThePatternIsRefused) {
  write_evil("{env: PATH}");
  RunResult r = apply();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(source() +
                       "/evil.yaml:7:22: spec.credentials.env: environment variable PATH may not "
                       "hold a token"),
            std::string::npos)
      << r.err;
  r = wsctl({"diff", "-f", source()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(collected_.load(), 0);
  EXPECT_EQ(provider_requests(), 0);
  // The operator may widen the pattern; validate then accepts it.
  r = wsctl({"validate", "-f", source(), "--credentials-env-pattern", "^(PATH|[A-Z0-9_]+_TOKEN)$"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = wsctl({"validate", "-f", source(), "--credentials-env-pattern", "(unclosed"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--credentials-env-pattern"), std::string::npos) << r.err;
}

TEST_F(CredentialsE2e, TokenFileIsReadOnlyUnderANamedDirectory) {
  fs::create_directories(dir() + "/secrets");
  fs::create_directories(dir() + "/elsewhere");
  std::ofstream(dir() + "/secrets/cadenya.token") << "e2e-token\n";
  std::ofstream(dir() + "/elsewhere/stolen.token") << "e2e-token\n";
  fs::create_symlink(dir() + "/elsewhere/stolen.token", dir() + "/secrets/link.token");
  std::string providers =
      "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
      "metadata: {name: cadenya}\nspec:\n  type: cadenya\n  baseUrl: " +
      sim_->url("cadenya") + "\n  credentials: {file: " + dir() + "/secrets/cadenya.token}\n";
  write("providers.yaml", providers);
  write("support.yaml", workspace_yaml("support", "cadenya", ""));

  RunResult r = apply();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("none is set"), std::string::npos) << r.err;
  EXPECT_EQ(provider_requests(), 0);

  // Through ".." and through a symlink out of the directory: refused.
  for (const std::string& path :
       {dir() + "/secrets/../elsewhere/stolen.token", dir() + "/secrets/link.token"}) {
    std::string escaped = providers;
    escaped.replace(escaped.find(dir() + "/secrets/cadenya.token"),
                    (dir() + "/secrets/cadenya.token").size(), path);
    write("providers.yaml", escaped);
    r = apply({"--credentials-dir", dir() + "/secrets"});
    EXPECT_EQ(r.exit_code, 2) << path << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("outside every --credentials-dir"), std::string::npos) << r.err;
  }
  EXPECT_EQ(provider_requests(), 0);

  write("providers.yaml", providers);
  r = apply({"--credentials-dir", dir() + "/secrets"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(calls("cadenya", "create"), 1);
}

}  // namespace
}  // namespace wsop::e2e
