// Directory sources: the revision name of mixed git and plain sources, and
// the watcher noticing git-sync's symlink swap above a subdirectory source.
#include "controller/manifest/source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

namespace wsop::manifest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kCommitA = "1111111111111111111111111111111111111111";
constexpr const char* kCommitB = "2222222222222222222222222222222222222222";

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/wsop-source-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }
  // A checkout with a detached HEAD at commit, holding one manifest.
  std::string checkout(const std::string& name, const std::string& commit) {
    fs::path top = fs::path(dir_) / name;
    write(top / ".git" / "HEAD", commit + "\n");
    write(top / "ws.yaml", "kind: Workspace\n");
    return top.string();
  }
  std::string plain(const std::string& name, const std::string& content) {
    fs::path top = fs::path(dir_) / name;
    write(top / "providers.yaml", content);
    return top.string();
  }

  std::string dir_;
};

std::string revision(const std::vector<std::string>& dirs) {
  auto r = revision_of(dirs);
  EXPECT_TRUE(r) << r.status().to_string();
  return r ? *r : "";
}

TEST_F(SourceTest, OneCheckoutIsNamedByItsCommit) {
  std::string repo = checkout("repo", kCommitA);
  EXPECT_EQ(revision({repo}), std::string("git:") + kCommitA);
  EXPECT_EQ(revision({repo, repo}), std::string("git:") + kCommitA);
}

TEST_F(SourceTest, PlainDirectoriesAreNamedByAContentHash) {
  EXPECT_TRUE(
      std::regex_match(revision({plain("values", "a: 1\n")}), std::regex("sha256:[0-9a-f]{16}")));
}

// The Helm chart's git mode: the checkout plus ProviderConfigs from values.
TEST_F(SourceTest, CheckoutBesidePlainDirectoryKeepsTheCommit) {
  std::string repo = checkout("repo", kCommitA);
  std::string values = plain("values", "a: 1\n");
  std::string name = revision({repo, values});
  EXPECT_TRUE(
      std::regex_match(name, std::regex(std::string("git:") + kCommitA + "\\+sha256:[0-9a-f]{16}")))
      << name;
  EXPECT_EQ(revision({repo, values}), name);  // deterministic
  // The hash is of the plain sources only: the same as theirs alone.
  EXPECT_EQ(name.substr(name.find('+') + 1), revision({values}));

  write(fs::path(values) / "providers.yaml", "a: 2\n");
  std::string changed = revision({repo, values});
  EXPECT_NE(changed, name);
  EXPECT_EQ(changed.substr(0, changed.find('+')), std::string("git:") + kCommitA);
}

TEST_F(SourceTest, CheckoutsAtDifferentCommitsNameEach) {
  std::string one = checkout("one", kCommitA);
  std::string two = checkout("two", kCommitB);
  EXPECT_EQ(revision({one, two}), std::string("git:") + kCommitA + "," + kCommitB);
  EXPECT_EQ(revision({two, one}), std::string("git:") + kCommitB + "," + kCommitA);
}

// git-sync: root/current -> .worktrees/<sha>, the source root/current/sub.
// With a poll of a minute only inotify can notice the swap in time.
TEST_F(SourceTest, WatcherSeesSymlinkSwapAboveASubdirectorySource) {
  fs::path root = fs::path(dir_) / "sync";
  write(root / ".worktrees/a/sub/ws.yaml", "kind: Workspace\nv: 1\n");
  write(root / ".worktrees/b/sub/ws.yaml", "kind: Workspace\nv: 2\n");
  fs::create_directory_symlink(".worktrees/a", root / "current");
  std::atomic<int> changes{0};
  SourceWatcher watcher({(root / "current/sub").string()}, 60s, [&] { ++changes; });
  watcher.start();
  auto wait_for = [&](int n) {
    for (int i = 0; i < 250 && changes < n; ++i) std::this_thread::sleep_for(20ms);
    return changes >= n;
  };
  ASSERT_TRUE(wait_for(1));  // the call at start
  std::this_thread::sleep_for(300ms);

  // As git-sync does it: a new link, renamed over the old one.
  fs::create_directory_symlink(".worktrees/b", root / "current.new");
  fs::rename(root / "current.new", root / "current");
  EXPECT_TRUE(wait_for(2)) << "the swap was not noticed within 5s";
  watcher.stop();
}

}  // namespace
}  // namespace wsop::manifest
