// Directory sources: the revision name of mixed git and plain sources, the
// watcher noticing git-sync's symlink swap above a subdirectory source, and
// the walk of a source tree refusing symlink loops instead of hanging.
#include "controller/manifest/source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/tree_walk.h"

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

// Two links to "." made `wsctl validate` and the controller walk 2^32 paths
// (the depth cap was 32): each is now one directory seen again.
TEST_F(SourceTest, TwoSymlinksToDotAreASymlinkLoop) {
  fs::path root = fs::path(dir_) / "loop";
  write(root / "ws.yaml", "kind: Workspace\n");
  fs::create_directory_symlink(".", root / "a");
  fs::create_directory_symlink(".", root / "b");
  auto started = std::chrono::steady_clock::now();

  auto tree = walk_source_tree(root);
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.status().code(), Code::kInvalid);
  EXPECT_NE(tree.status().message().find("symlink loop"), std::string::npos);
  EXPECT_NE(tree.status().message().find((root / "a").string()), std::string::npos)
      << tree.status().message();

  auto hash = content_hash({root.string()});
  ASSERT_FALSE(hash);
  EXPECT_NE(hash.status().message().find("symlink loop"), std::string::npos);

  std::istringstream no_stdin;
  LoadResult loaded = load_manifests({root.string()}, no_stdin);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.errors.front().to_string().find("symlink loop: " + (root / "a").string()),
            std::string::npos)
      << loaded.errors.front().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(SourceTest, SymlinkToAnAncestorIsALoop) {
  fs::path root = fs::path(dir_) / "up";
  write(root / "team/deep/ws.yaml", "kind: Workspace\n");
  fs::create_directory_symlink("../..", root / "team/deep/back");
  auto tree = walk_source_tree(root);
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.status().message(), "symlink loop: " + (root / "team/deep/back").string() +
                                         " leads back to " + root.string());
}

// Links to one directory from two places would read its manifests twice,
// and a ladder of such links multiplies the walk without any loop.
TEST_F(SourceTest, ADirectoryReachedTwiceIsRefused) {
  fs::path root = fs::path(dir_) / "diamond";
  write(root / "shared/ws.yaml", "kind: Workspace\n");
  fs::create_directory_symlink("shared", root / "x");
  auto tree = walk_source_tree(root);
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.status().code(), Code::kInvalid);
  EXPECT_NE(tree.status().message().find("reached twice"), std::string::npos)
      << tree.status().message();
}

TEST_F(SourceTest, WalkFollowsSymlinksOutOfTheTreeAndSkipsHiddenEntries) {
  fs::path root = fs::path(dir_) / "tree";
  write(root / "b.yaml", "kind: Workspace\n");
  write(root / "team/a.YML", "kind: Workspace\n");
  write(root / "team/notes.txt", "not a manifest\n");
  write(root / ".git/config.yaml", "hidden\n");
  write(root / ".hidden.yaml", "hidden\n");
  write(fs::path(dir_) / "elsewhere/c.json", "{}\n");
  fs::create_directory_symlink("../elsewhere", root / "linked");
  auto tree = walk_source_tree(root);
  ASSERT_TRUE(tree) << tree.status().to_string();
  std::vector<fs::path> expected = {root / "b.yaml", root / "linked/c.json", root / "team/a.YML"};
  EXPECT_EQ(tree->files, expected);
  EXPECT_EQ(tree->dirs.size(), 3u);  // root, linked, team
}

TEST_F(SourceTest, ACancelledWalkStopsWithAnError) {
  fs::path root = fs::path(dir_) / "cancelled";
  write(root / "ws.yaml", "kind: Workspace\n");
  std::atomic<bool> cancel{true};
  auto tree = walk_source_tree(root, WalkOptions{32, &cancel});
  EXPECT_FALSE(tree);
  std::istringstream no_stdin;
  LoadOptions options;
  options.cancel = &cancel;
  EXPECT_FALSE(load_manifests({root.string()}, no_stdin, options).ok());
}

// The watcher keeps turning (and says so) on a source it cannot load.
TEST_F(SourceTest, WatcherOnASymlinkLoopCallsOnceAndIdles) {
  fs::path root = fs::path(dir_) / "watched";
  write(root / "ws.yaml", "kind: Workspace\n");
  fs::create_directory_symlink(".", root / "a");
  fs::create_directory_symlink(".", root / "b");
  std::atomic<int> changes{0};
  SourceWatcher watcher({root.string()}, 50ms, [&] { ++changes; });
  watcher.start();
  for (int i = 0; i < 250 && changes < 1; ++i) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(500ms);  // ten polls of an unchanged broken tree
  EXPECT_EQ(changes, 1);
  bool idle = false;
  for (int i = 0; i < 100 && !idle; ++i) {
    idle = watcher.heartbeat().turn_age() == Heartbeat::Clock::duration::zero();
    if (!idle) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(idle) << "the watcher seems stuck in a turn";
  auto stopping = std::chrono::steady_clock::now();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
}

}  // namespace
}  // namespace wsop::manifest
