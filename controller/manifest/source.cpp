#include "controller/manifest/source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/digest.h"
#include "controller/manifest/tree_walk.h"

namespace wsop::manifest {
namespace fs = std::filesystem;
namespace {

std::string read_first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// The git directory for a checkout at `top`: ".git" itself, or where a
// ".git" file points (worktrees, git-sync's checkouts).
std::optional<fs::path> git_dir_of(const fs::path& top) {
  fs::path dot_git = top / ".git";
  std::error_code ec;
  if (fs::is_directory(dot_git, ec)) return dot_git;
  if (!fs::is_regular_file(dot_git, ec)) return std::nullopt;
  std::string line = read_first_line(dot_git);
  if (line.rfind("gitdir: ", 0) != 0) return std::nullopt;
  fs::path target = line.substr(8);
  return target.is_absolute() ? target : top / target;
}

// Resolves "ref: refs/heads/x" through loose refs and packed-refs, looking
// in the common directory of a worktree as well.
std::optional<std::string> resolve_ref(const fs::path& git_dir, const std::string& ref) {
  std::vector<fs::path> dirs = {git_dir};
  std::string common = read_first_line(git_dir / "commondir");
  if (!common.empty())
    dirs.push_back(fs::path(common).is_absolute() ? fs::path(common) : git_dir / common);
  for (const auto& dir : dirs) {
    std::string loose = read_first_line(dir / ref);
    if (loose.size() >= 40) return loose;
    std::ifstream packed(dir / "packed-refs");
    std::string line;
    while (std::getline(packed, line)) {
      if (line.size() > 41 && line.compare(41, std::string::npos, ref) == 0)
        return line.substr(0, 40);
    }
  }
  return std::nullopt;
}

}  // namespace

Outcome<std::string> git_commit(const std::string& dir) {
  std::error_code ec;
  fs::path at = fs::canonical(dir, ec);
  if (ec) return Status::error(Code::kNotFound, "cannot resolve " + dir);
  for (; !at.empty(); at = at.parent_path()) {
    if (auto git_dir = git_dir_of(at)) {
      std::string head = read_first_line(*git_dir / "HEAD");
      if (head.rfind("ref: ", 0) == 0) {
        if (auto commit = resolve_ref(*git_dir, head.substr(5))) return *commit;
        return Status::error(Code::kNotFound, "unborn branch in " + at.string());
      }
      if (head.size() >= 40) return head.substr(0, 40);
      return Status::error(Code::kNotFound, "unreadable HEAD in " + at.string());
    }
    if (at == at.root_path()) break;
  }
  return Status::error(Code::kNotFound, dir + " is not in a git checkout");
}

Outcome<std::string> content_hash(const std::vector<std::string>& dirs,
                                  const std::atomic<bool>* cancel) {
  std::vector<std::pair<std::string, std::string>> files;  // (path, content)
  WalkOptions walk;
  walk.cancel = cancel;
  for (const auto& dir : dirs) {
    auto tree = walk_source_tree(dir, walk);
    if (!tree) return tree.status();
    for (const auto& file : tree->files) {
      if (cancel && cancel->load()) return Status::error(Code::kInternal, "hash cancelled");
      std::ifstream in(file, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::error_code ec;
      files.emplace_back(fs::relative(file, dir, ec).string(), buffer.str());
    }
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& [path, content] : files) {
    all += path + '\0' + sha256_hex(content) + '\n';
  }
  return sha256_hex(all);
}

Outcome<std::string> revision_of(const std::vector<std::string>& dirs) {
  std::vector<std::string> commits;  // in source order, each once
  std::vector<std::string> plain;    // the sources outside any checkout
  for (const auto& dir : dirs) {
    auto commit = git_commit(dir);
    if (!commit) {
      plain.push_back(dir);
    } else if (std::find(commits.begin(), commits.end(), *commit) == commits.end()) {
      commits.push_back(*commit);
    }
  }
  std::string name;
  for (const auto& commit : commits) name += (name.empty() ? "git:" : ",") + commit;
  if (plain.empty()) return name;
  // A plain directory beside a checkout (the chart's ProviderConfigs from
  // values) still leaves the commit readable in the name.
  auto hash = content_hash(plain);
  if (!hash) return hash.status();
  return name + (name.empty() ? "" : "+") + "sha256:" + hash->substr(0, 16);
}

SourceWatcher::SourceWatcher(std::vector<std::string> dirs, std::chrono::milliseconds poll_interval,
                             std::function<void()> on_change)
    : dirs_(std::move(dirs)), poll_interval_(poll_interval), on_change_(std::move(on_change)) {}

SourceWatcher::~SourceWatcher() {
  stop();
}

void SourceWatcher::start() {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);  // -1: polling only
  thread_ = std::thread([this] { run(); });
}

void SourceWatcher::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  if (wake_fd_ >= 0 && ::write(wake_fd_, &one, sizeof one) < 0) {
    // Nothing to do: the thread also wakes at its next poll.
  }
  thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
}

// Watches every directory under the sources, each source's parent, and
// every directory that holds a symlink on the way to a source: git-sync swaps
// root/current, and for a source root/current/sub the other watches are all
// inside the old worktree, where the swap is not seen.
void SourceWatcher::arm_inotify() {
  if (inotify_fd_ < 0) return;
  for (int wd : watches_) inotify_rm_watch(inotify_fd_, wd);
  watches_.clear();
  const uint32_t mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                        IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB;
  auto watch = [&](const fs::path& p) {
    int wd = inotify_add_watch(inotify_fd_, p.c_str(), mask);
    if (wd >= 0) watches_.push_back(wd);
  };
  for (const auto& dir : dirs_) {
    std::error_code ec;
    fs::path absolute = fs::absolute(dir, ec).lexically_normal();
    if (absolute.filename().empty()) absolute = absolute.parent_path();  // "dir/"
    watch(absolute.parent_path());
    watch(absolute);
    fs::path prefix;
    for (const auto& part : absolute) {
      prefix /= part;
      if (fs::is_symlink(prefix, ec)) watch(prefix.parent_path());
    }
    // A tree with a symlink loop is not watched below its root: loading
    // it fails, and the polling fallback sees the fix.
    if (auto tree = walk_source_tree(absolute, WalkOptions{32, &stopping_})) {
      for (size_t i = 1; i < tree->dirs.size() && i < 10000; ++i) watch(tree->dirs[i]);
    }
  }
}

bool SourceWatcher::wait_for_event(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
  int count = inotify_fd_ >= 0 ? 2 : 1;
  int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready > 0 && count == 2 && (fds[1].revents & POLLIN)) {
    char buffer[8192];
    while (::read(inotify_fd_, buffer, sizeof buffer) > 0) {
    }
    return true;
  }
  return false;
}

void SourceWatcher::run() {
  std::string last_hash;
  bool first = true;
  while (!stopping_) {
    heartbeat_.begin_turn();
    auto hash = content_hash(dirs_, &stopping_);
    if (stopping_) break;  // a cancelled hash is no change
    std::string current = hash ? *hash : "unreadable:" + hash.status().message();
    // A new commit is a new revision even when no manifest changed in it
    // (the revision metric and the status follow the checkout).
    for (const auto& dir : dirs_) {
      auto commit = git_commit(dir);
      current += "\n" + (commit ? *commit : std::string("-"));
    }
    if (first || current != last_hash) {
      last_hash = current;
      first = false;
      arm_inotify();
      on_change_();
    }
    heartbeat_.end_turn();  // waiting for a change is no stall
    if (wait_for_event(poll_interval_)) {
      // Let a burst of writes (a git checkout) settle before hashing.
      while (!stopping_ && wait_for_event(std::chrono::milliseconds(200))) {
      }
    }
  }
  heartbeat_.end_turn();
}

}  // namespace wsop::manifest
