// providers/http/credential_policy.h: which files and variables a manifest
// may take a token from. Each case is a way out of the operator's choice.
#include "providers/http/credential_policy.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsop::http {
namespace {

namespace fs = std::filesystem;

CredentialPolicy policy_of(std::vector<std::string> dirs,
                           const std::string& pattern = kDefaultCredentialsEnvPattern) {
  auto policy = CredentialPolicy::create(dirs, pattern);
  EXPECT_TRUE(policy) << policy.status().to_string();
  return policy ? *policy : CredentialPolicy();
}

class CredentialPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("wsop-policy-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(allowed());
    fs::create_directories(outside());
    std::ofstream(allowed() / "token") << "tok-allowed\n";
    std::ofstream(outside() / "token") << "tok-outside\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path allowed() const { return root_ / "secrets"; }
  fs::path outside() const { return root_ / "secrets-other"; }  // shares the prefix

  // Empty when accepted, else the refusal's message (kInvalid expected).
  static std::string refusal(const CredentialPolicy& policy, const std::string& path) {
    auto resolved = policy.resolve_file(path);
    if (resolved) return "";
    EXPECT_EQ(resolved.status().code(), Code::kInvalid);
    return resolved.status().message();
  }

  fs::path root_;
};

TEST_F(CredentialPolicyTest, ProcSysAndDevAreNeverAllowedEvenWhenNamed) {
  for (const std::string dir :
       {"/proc", "/proc/self", "/sys", "/sys/kernel", "/dev", "/dev/shm", "/", "/proc/../proc"}) {
    auto policy = CredentialPolicy::create({dir}, kDefaultCredentialsEnvPattern);
    ASSERT_FALSE(policy) << dir << " accepted as --credentials-dir";
    EXPECT_EQ(policy.status().code(), Code::kInvalid);
    EXPECT_NE(policy.status().message().find("--credentials-dir " + dir), std::string::npos)
        << policy.status().message();
  }
  // A symlink to /proc named as the directory resolves to /proc.
  fs::create_directory_symlink("/proc", root_ / "proc-link");
  EXPECT_FALSE(CredentialPolicy::create({(root_ / "proc-link").string()}, ".*"));
  EXPECT_FALSE(CredentialPolicy::create({""}, ".*"));
}

TEST_F(CredentialPolicyTest, ProcSelfEnvironIsRefusedWhateverTheDirectories) {
  EXPECT_NE(refusal(CredentialPolicy(), "/proc/self/environ").find("/proc"), std::string::npos);
  // Through a symlink placed inside an allowed directory.
  fs::create_symlink("/proc/self/environ", allowed() / "environ");
  CredentialPolicy policy = policy_of({allowed().string()});
  std::string why = refusal(policy, (allowed() / "environ").string());
  EXPECT_NE(why.find("/proc, /sys and /dev never hold credentials"), std::string::npos) << why;
  // And on the descriptor: procfs is refused wherever it is mounted.
  int fd = ::open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Status opened = policy.check_opened(fd, "environ");
  ::close(fd);
  EXPECT_EQ(opened.code(), Code::kInvalid) << opened.to_string();
}

TEST_F(CredentialPolicyTest, NoDirectoryMeansNoFile) {
  std::string why = refusal(CredentialPolicy(), (allowed() / "token").string());
  EXPECT_NE(why.find("none is set"), std::string::npos) << why;
}

TEST_F(CredentialPolicyTest, AllowedDirectoryIsAcceptedAndOnlyIt) {
  CredentialPolicy policy = policy_of({allowed().string()});
  EXPECT_EQ(refusal(policy, (allowed() / "token").string()), "");
  EXPECT_EQ(refusal(policy, (allowed() / "sub/../token").string()), "");
  // secrets-other starts with the same characters as secrets, but is not in it.
  std::string why = refusal(policy, (outside() / "token").string());
  EXPECT_NE(why.find("outside every --credentials-dir"), std::string::npos) << why;
  // A relative path resolves against the working directory, then is checked.
  std::string relative = fs::relative(allowed() / "token", fs::current_path()).string();
  ASSERT_EQ(relative.front() == '/', false);
  EXPECT_EQ(refusal(policy, relative), "");
  EXPECT_NE(refusal(policy, fs::relative(outside() / "token", fs::current_path()).string()), "");
}

TEST_F(CredentialPolicyTest, DotDotEscapeIsRefused) {
  CredentialPolicy policy = policy_of({allowed().string()});
  std::string why = refusal(policy, (allowed() / "../secrets-other/token").string());
  EXPECT_NE(why.find("resolved to " + fs::canonical(outside() / "token").string()),
            std::string::npos)
      << why;
  EXPECT_NE(refusal(policy, allowed().string() + "/../../../../etc/passwd"), "");
}

TEST_F(CredentialPolicyTest, SymlinkEscapeIsRefusedAndSymlinksInsideAreFollowed) {
  CredentialPolicy policy = policy_of({allowed().string()});
  fs::create_symlink(outside() / "token", allowed() / "link-out");
  fs::create_directory_symlink(outside(), allowed() / "dir-out");
  EXPECT_NE(refusal(policy, (allowed() / "link-out").string()), "");
  EXPECT_NE(refusal(policy, (allowed() / "dir-out/token").string()), "");
  // A Kubernetes Secret volume: key -> ..data/key, ..data -> ..<timestamp>.
  fs::create_directories(allowed() / "..2026_12_06");
  std::ofstream(allowed() / "..2026_12_06/api-key") << "tok\n";
  fs::create_directory_symlink("..2026_12_06", allowed() / "..data");
  fs::create_symlink("..data/api-key", allowed() / "api-key");
  EXPECT_EQ(refusal(policy, (allowed() / "api-key").string()), "");
  // The directory itself named through a symlink is kept resolved.
  fs::create_directory_symlink(allowed(), root_ / "alias");
  CredentialPolicy aliased = policy_of({(root_ / "alias").string()});
  EXPECT_EQ(refusal(aliased, (allowed() / "token").string()), "");
  EXPECT_EQ(refusal(aliased, (root_ / "alias/token").string()), "");
}

TEST_F(CredentialPolicyTest, OpenedDescriptorIsCheckedWhereverALinkPointed) {
  CredentialPolicy policy = policy_of({allowed().string()});
  int inside = ::open((allowed() / "token").c_str(), O_RDONLY | O_CLOEXEC);
  int escaped = ::open((outside() / "token").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(inside, 0);
  ASSERT_GE(escaped, 0);
  EXPECT_TRUE(policy.check_opened(inside, "token").is_ok());
  Status refused = policy.check_opened(escaped, "token");
  EXPECT_EQ(refused.code(), Code::kInvalid) << refused.to_string();
  ::close(inside);
  ::close(escaped);
}

TEST(CredentialEnvPatternTest, DefaultAcceptsTokenNamesOnly) {
  CredentialPolicy policy;
  EXPECT_EQ(policy.check_env("FOO_TOKEN"), "");
  EXPECT_EQ(policy.check_env("PARADIGM_API_KEY"), "");
  EXPECT_EQ(policy.check_env("AETHER_KEY"), "");
  for (const char* name : {"PATH", "HOME", "AWS_SECRET_ACCESS_KEY_ID", "foo_token", "_X_TOKEN",
                           "TOKEN", "X_TOKEN_2", "X_TOKENS"}) {
    std::string why = policy.check_env(name);
    EXPECT_NE(why.find("--credentials-env-pattern"), std::string::npos) << name << ": " << why;
    EXPECT_NE(why.find(name), std::string::npos) << why;
  }
  // A name long enough to exhaust the regex engine's stack is refused first.
  EXPECT_NE(policy.check_env(std::string(200000, 'A') + "_TOKEN"), "");
}

TEST(CredentialEnvPatternTest, CustomPatternWidensAndBadPatternIsRefused) {
  CredentialPolicy policy = policy_of({}, "^(PATH|[A-Z_]+_SECRET)$");
  EXPECT_EQ(policy.check_env("PATH"), "");
  EXPECT_EQ(policy.check_env("DB_SECRET"), "");
  EXPECT_NE(policy.check_env("FOO_TOKEN"), "");
  EXPECT_NE(policy.check_env("PATHX"), "");  // a full match, not a search
  CredentialPolicy unanchored = policy_of({}, "[A-Z]+_TOKEN");
  EXPECT_NE(unanchored.check_env("PATH_TOKEN_AND_MORE"), "");
  auto bad = CredentialPolicy::create({}, "(unclosed");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), Code::kInvalid);
  EXPECT_NE(bad.status().message().find("--credentials-env-pattern"), std::string::npos);
}

TEST(CredentialCheckTest, ChecksWhicheverTheCredentialsName) {
  model::Credentials env;
  env.env = "PATH";
  EXPECT_EQ(CredentialPolicy().check(env).code(), Code::kInvalid);
  env.env = "CD_TOKEN";
  EXPECT_TRUE(CredentialPolicy().check(env).is_ok());
  model::Credentials file;
  file.file = "/proc/self/environ";
  EXPECT_EQ(CredentialPolicy().check(file).code(), Code::kInvalid);
}

}  // namespace
}  // namespace wsop::http
