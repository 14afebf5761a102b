// A whole set of manifests (every file of one source revision), loaded and
// validated together. A set with any error applies nothing
// (ARCHITECTURE.md section 1).
#pragma once

#include <istream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "controller/manifest/diagnostic.h"
#include "controller/manifest/yaml_tree.h"
#include "controller/model/resource.h"

namespace wsop::manifest {

// Where fields of one Workspace document sit, beyond model::WorkspaceMarks,
// for the rules across documents to point at.
struct WorkspaceFieldMarks {
  Mark spec;           // the spec map
  Mark external_name;  // the external-name annotation's value; line 0 if unset
};

struct ManifestSet {
  std::vector<model::ProviderConfig> provider_configs;
  std::vector<model::Workspace> workspaces;
  // Some ProviderConfig document failed to decode, or some input could not be
  // parsed to its end: a reference to a name not in provider_configs may point
  // at it, so it is not reported as dangling.
  bool has_invalid_provider_configs = false;
  // Filled by the loader, keyed by each Workspace's position (file, line,
  // column of its document); rules fall back to WorkspaceMarks without it.
  std::map<std::tuple<std::string, int, int>, WorkspaceFieldMarks> workspace_field_marks;

  const model::ProviderConfig* find_provider_config(const std::string& name) const;
};

struct LoadOptions {
  YamlLimits limits;
  size_t max_total_documents = 200000;  // across every file of the set
  size_t max_files = 100000;
};

struct LoadResult {
  ManifestSet set;
  std::vector<Diagnostic> errors;  // sorted by position; empty when the set is valid
  size_t files = 0;
  size_t documents = 0;
  bool ok() const { return errors.empty(); }
};

// Loads every path (a file, a directory searched recursively for *.yaml,
// *.yml and *.json, or "-" for stdin) and validates the whole set.
LoadResult load_manifests(const std::vector<std::string>& paths, std::istream& stdin_stream,
                          const LoadOptions& options = {});

// The same, from texts already in memory: (name, content) pairs.
struct SourceText {
  std::string name;
  std::string content;
};
LoadResult load_texts(const std::vector<SourceText>& texts, const LoadOptions& options = {});

// The rules across documents of ARCHITECTURE.md section 1, appended to errors.
void validate_set(const ManifestSet& set, std::vector<Diagnostic>& errors);

}  // namespace wsop::manifest
