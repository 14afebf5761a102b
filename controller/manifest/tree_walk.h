// The walk of a source directory that loading, hashing and watching share:
// every directory and manifest file under it, following symlinks, skipping
// hidden entries (".git", git-sync's ".worktrees"). Each directory is
// entered once, known by its device and inode: a symlink back to a
// directory on the way down (two links to ".") is a "symlink loop", and a
// directory reached a second time by another way is refused as well,
// because its manifests would be read twice and a few such links multiply
// the walk exponentially. Both are kInvalid errors naming the paths.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace wsop::manifest {

// *.yaml, *.yml or *.json, in any case: the files loading reads.
bool has_manifest_extension(const std::filesystem::path& path);

struct SourceTree {
  std::vector<std::filesystem::path> dirs;   // the root first, then in walk order
  std::vector<std::filesystem::path> files;  // manifest files, sorted
};

struct WalkOptions {
  int max_depth = 32;  // deeper directories are not entered
  // Set by a controller that stops: the walk ends with kInternal at the next
  // entry instead of finishing.
  const std::atomic<bool>* cancel = nullptr;
};

// kNotFound when root cannot be read, kInvalid for a loop.
Outcome<SourceTree> walk_source_tree(const std::filesystem::path& root,
                                     const WalkOptions& options = {});

}  // namespace wsop::manifest
