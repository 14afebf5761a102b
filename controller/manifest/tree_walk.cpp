#include "controller/manifest/tree_walk.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>
#include <system_error>
#include <utility>

namespace wsop::manifest {
namespace fs = std::filesystem;
namespace {

using DirectoryId = std::pair<dev_t, ino_t>;

class TreeWalker {
 public:
  explicit TreeWalker(const WalkOptions& options) : options_(options) {}

  Status walk(const fs::path& dir, int depth, SourceTree& tree) {
    if (options_.cancel && options_.cancel->load()) {
      return Status::error(Code::kInternal, "walk of " + dir.string() + " cancelled");
    }
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0) {
      return Status::error(Code::kNotFound, "cannot read directory " + dir.string() + ": " +
                                                std::generic_category().message(errno));
    }
    DirectoryId id{info.st_dev, info.st_ino};
    if (auto seen = visited_.find(id); seen != visited_.end())
      return revisit(dir, id, seen->second);
    visited_.emplace(id, dir);
    path_.push_back(id);
    tree.dirs.push_back(dir);
    Status status = walk_entries(dir, depth, tree);
    path_.pop_back();
    return status;
  }

 private:
  Status walk_entries(const fs::path& dir, int depth, SourceTree& tree) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    std::vector<fs::path> subdirs;
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::error_code type_ec;
      if (it->is_directory(type_ec)) {
        subdirs.push_back(it->path());
      } else if (it->is_regular_file(type_ec) && has_manifest_extension(it->path())) {
        tree.files.push_back(it->path());
      }
    }
    if (ec) {
      return Status::error(Code::kNotFound,
                           "cannot read directory " + dir.string() + ": " + ec.message());
    }
    if (depth >= options_.max_depth) return Status::ok();
    std::sort(subdirs.begin(), subdirs.end());  // the first path to a directory is stable
    for (const auto& sub : subdirs) {
      if (Status s = walk(sub, depth + 1, tree); !s.is_ok()) return s;
    }
    return Status::ok();
  }

  Status revisit(const fs::path& dir, const DirectoryId& id, const fs::path& first) const {
    if (std::find(path_.begin(), path_.end(), id) != path_.end()) {
      return Status::error(Code::kInvalid,
                           "symlink loop: " + dir.string() + " leads back to " + first.string());
    }
    return Status::error(Code::kInvalid, "directory reached twice through symlinks: " +
                                             dir.string() + " is " + first.string());
  }

  const WalkOptions& options_;
  std::map<DirectoryId, fs::path> visited_;
  std::vector<DirectoryId> path_;  // the directories from the root down to the current one
};

}  // namespace

bool has_manifest_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Outcome<SourceTree> walk_source_tree(const fs::path& root, const WalkOptions& options) {
  SourceTree tree;
  TreeWalker walker(options);
  if (Status s = walker.walk(root, 0, tree); !s.is_ok()) return s;
  std::sort(tree.files.begin(), tree.files.end());
  return tree;
}

}  // namespace wsop::manifest
