// A directory source for the controller (ARCHITECTURE.md section 2): its
// revision, and a watcher that says when it changed. The revision names the
// git commit of each directory inside a checkout (a plain clone, a worktree,
// or git-sync's symlinked layout), and a hash of the manifests' contents of
// the others.
// A change is noticed through inotify, with a polling fallback that also
// catches what inotify cannot see (a symlink swapped by git-sync, files on
// network filesystems).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/heartbeat.h"
#include "common/status.h"

namespace wsop::manifest {

// The commit checked out at dir (following symlinks), if it is in a git
// checkout; kNotFound otherwise.
Outcome<std::string> git_commit(const std::string& dir);

// A hash of every manifest file under the directories (paths and contents):
// changes whenever any file that loading would read changes. A symlink loop
// is a kInvalid error (controller/manifest/tree_walk.h); `cancel` ends the
// walk early with an error.
Outcome<std::string> content_hash(const std::vector<std::string>& dirs,
                                  const std::atomic<bool>* cancel = nullptr);

// The name shown in logs and metrics (the content hash and the commits
// decide whether anything changed): "git:<commit>" for checkouts at one
// commit, "git:<c1>,<c2>" for several (in source order), followed by
// "+sha256:<short hash>" of the sources outside any checkout when there are
// both, and just "sha256:<short hash>" when no source is a checkout.
Outcome<std::string> revision_of(const std::vector<std::string>& dirs);

class SourceWatcher {
 public:
  // on_change is called from the watcher's thread after the directories'
  // content hash or checked-out commit changes (debounced), and once at
  // start.
  SourceWatcher(std::vector<std::string> dirs, std::chrono::milliseconds poll_interval,
                std::function<void()> on_change);
  ~SourceWatcher();

  void start();
  void stop();

  // A turn is one hash of the sources and, on a change, on_change.
  const Heartbeat& heartbeat() const { return heartbeat_; }

 private:
  void run();
  void arm_inotify();
  bool wait_for_event(std::chrono::milliseconds timeout);

  std::vector<std::string> dirs_;
  std::chrono::milliseconds poll_interval_;
  std::function<void()> on_change_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  Heartbeat heartbeat_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd that stop() writes to
  std::vector<int> watches_;
};

}  // namespace wsop::manifest
