// One problem found in the manifests, with where it is. Printed as
// "FILE:LINE:COL: field.path: message", like a compiler.
#pragma once

#include <string>
#include <vector>

#include "controller/manifest/yaml_tree.h"

namespace wsop::manifest {

struct Diagnostic {
  std::string file;
  Mark mark;
  std::string path;  // "spec.hardware.cpus"; "<document>" for whole-document problems
  std::string message;

  std::string to_string() const;
};

// Collects diagnostics for one file, so readers need not carry the name.
class DiagnosticSink {
 public:
  DiagnosticSink(std::string file, std::vector<Diagnostic>& out)
      : file_(std::move(file)), out_(out) {}
  void add(Mark mark, std::string path, std::string message) {
    out_.push_back({file_, mark, std::move(path), std::move(message)});
  }
  const std::string& file() const { return file_; }
  size_t count() const { return out_.size(); }
  // The field paths of this sink's diagnostics from index first on.
  std::vector<std::string> paths_since(size_t first) const {
    std::vector<std::string> paths;
    for (size_t i = first; i < out_.size(); ++i) paths.push_back(out_[i].path);
    return paths;
  }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

// Sorts by file, line and column, keeping the order of equal positions.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace wsop::manifest
