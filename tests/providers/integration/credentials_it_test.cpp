// Bearer tokens from a file that is re-read when it changes (rotated
// secrets), and never in an error (issue 4, item 2).
#include <filesystem>
#include <fstream>

#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

class CredentialsIT : public IntegrationTest {
 protected:
  void SetUp() override {
    sim::SimConfig c = simtest::test_config();
    std::set<std::string> accepted = {"token-aaa", "token-ccc"};
    c.paradigm.auth.tokens = accepted;
    c.cadenya.auth.tokens = accepted;
    c.aether.auth.tokens = accepted;
    start_sim(std::move(c));
    dir_ = std::filesystem::temp_directory_path() /
           ("wsop-it-token-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "token").string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void write_token(const std::string& text) {
    std::ofstream out(file_, std::ios::trunc);
    out << text;
  }

  // Every byte sequence a message must not contain.
  static void expect_no_secret(const Status& s, const std::string& token) {
    EXPECT_EQ(s.message().find(token), std::string::npos) << s.to_string();
    EXPECT_EQ(s.to_string().find(token), std::string::npos) << s.to_string();
  }

  std::filesystem::path dir_;
  std::string file_;
};

TEST_P(CredentialsIT, RotatedTokenFileIsReread) {
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.credentials.env.reset();
    c.credentials.file = file_;
    write_token("token-aaa\n");
    auto p = make(c);
    auto listed = p->list({});
    ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);

    // Rewritten at once with a token of the same length: a stale cache
    // (same size, same coarse mtime) must not hide the change.
    auto stamp = std::filesystem::last_write_time(file_);
    write_token("token-bbb\n");
    std::filesystem::last_write_time(file_, stamp);  // as a coarse clock would leave it
    listed = p->list({});
    ASSERT_FALSE(listed) << provider_name(type) << ": the rotated token was not read";
    EXPECT_EQ(listed.status().code(), Code::kUnauthorized) << why(listed);
    expect_no_secret(listed.status(), "token-bbb");

    write_token("token-ccc");
    listed = p->list({});
    ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);
    EXPECT_EQ(calls(type, "list", "401"), 1);
    EXPECT_EQ(calls(type, "list", "200"), 2);
  }
}

TEST_P(CredentialsIT, MissingOrEmptyTokenFileIsUnauthorizedWithoutRequest) {
  model::ProviderConfig c = config(kAether);
  c.credentials.env.reset();
  c.credentials.file = file_ + ".missing";
  auto p = make(c);
  auto created = p->create(aether_ws("x"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kUnauthorized) << why(created);
  EXPECT_NE(created.status().message().find("token.missing"), std::string::npos);

  c.credentials.file = file_;
  write_token("  \n");
  p = make(c);
  auto got = p->get("x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kUnauthorized) << why(got);
  EXPECT_EQ(total_calls(kAether), 0);
}

TEST_P(CredentialsIT, RejectedTokensNeverAppearInErrors) {
  const std::string secret = "sk-live-DO-NOT-LEAK-0123456789";
  ::setenv(kTokenVar, secret.c_str(), 1);
  for (auto type : {kParadigm, kCadenya, kAether}) {
    auto p = make(type);
    auto got = p->get("1");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.status().code(), Code::kUnauthorized) << why(got);
    expect_no_secret(got.status(), secret);
    auto listed = p->list({});
    ASSERT_FALSE(listed);
    expect_no_secret(listed.status(), secret);
    model::Workspace w = type == kParadigm  ? paradigm_ws("w")
                         : type == kCadenya ? cadenya_ws("w")
                                            : aether_ws("w");
    auto created = p->create(w);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kUnauthorized) << why(created);
    expect_no_secret(created.status(), secret);
    RemoteWorkspace ghost;
    ghost.id = "1";
    auto updated = p->update(ghost, w, p->diff(w, ghost));
    if (!updated) expect_no_secret(updated.status(), secret);
    expect_no_secret(p->remove("1"), secret);
    EXPECT_EQ(calls(type, "create", "401"), 1);
  }
}

TEST_P(CredentialsIT, UnsetVariableIsNamedNotGuessed) {
  ::unsetenv(kTokenVar);
  auto p = make(kCadenya);
  auto listed = p->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kUnauthorized);
  EXPECT_NE(listed.status().message().find(kTokenVar), std::string::npos) << why(listed);
  EXPECT_EQ(total_calls(kCadenya), 0);
}

INSTANTIATE_TEST_SUITE_P(Integration, CredentialsIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
