// A whole set of manifests (every file of one source revision), loaded and
// validated together. A set with any error applies nothing
// (ARCHITECTURE.md section 1).
#pragma once

#include <atomic>
#include <istream>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "api/v1alpha1/types.h"
#include "controller/manifest/diagnostic.h"
#include "controller/manifest/source_map.h"
#include "controller/manifest/yaml_tree.h"
#include "providers/http/credential_policy.h"
#include "providers/registry.h"

namespace wsop::manifest {

// A document with errors of its own, kept as far as it decoded so that the
// rules across documents (duplicates, references, provider blocks) still
// check it. Never applied: its own errors already make the set invalid.
template <class T>
struct RejectedDocument {
  T resource;
  DocumentSource source;
  std::vector<std::string> error_paths;  // fields with errors of their own: not to be trusted
  size_t valid_before = 0;  // valid documents of its kind loaded before it (document order)
};

struct ManifestSet {
  // Only documents without errors: what may be applied.
  std::vector<model::ProviderConfig> provider_configs;
  std::vector<model::Workspace> workspaces;
  std::vector<RejectedDocument<model::ProviderConfig>> rejected_provider_configs;
  std::vector<RejectedDocument<model::Workspace>> rejected_workspaces;
  // metadata.name of every ProviderConfig document that failed: a reference
  // to one of them is not reported as dangling, the failure being reported
  // already.
  std::set<std::string> invalid_provider_config_names;
  // Some input stopped before its end where a ProviderConfig may follow (a
  // YAML error, too many documents, an unreadable file): any reference may
  // point at one, so none is reported as dangling.
  bool provider_config_names_unknown = false;
  // Where each valid document came from, in step with the vectors above
  // (source_map.h); empty for a set built by hand or once dropped.
  SourceMap sources;

  const model::ProviderConfig* find_provider_config(const std::string& name) const;
  // Where an element of provider_configs or workspaces came from; null when
  // it is not one of them or the set keeps no sources.
  const DocumentSource* source_of(const model::ProviderConfig& config) const;
  const DocumentSource* source_of(const model::Workspace& workspace) const;
  // Positions serve messages about the load; a desired state kept for a
  // controller's lifetime needs none, nor can one that filters the vectors
  // keep them in step.
  void drop_sources() { sources = {}; }
};

struct LoadOptions {
  YamlLimits limits;
  size_t max_total_documents = 200000;  // across every file of the set
  size_t max_files = 100000;
  // Threads that parse and decode files (0: up to 4, as the machine has
  // cores). The result is the same whatever the number.
  unsigned threads = 0;
  // Set by a controller that stops: the load ends early, with an error or a
  // partial set that the caller must discard.
  const std::atomic<bool>* cancel = nullptr;
  // Which variables and files a ProviderConfig may take its token from
  // (--credentials-dir, --credentials-env-pattern): a refused one is an
  // error at its field. The default allows no file.
  http::CredentialPolicy credentials;
  // Files or directories read for their ProviderConfigs only (wsctl's
  // --provider-configs): a directory of Workspaces whose ProviderConfigs
  // live elsewhere validates against them. Other documents in them are
  // skipped with a warning.
  std::vector<std::string> provider_config_paths;
  // The rules across documents (unique names, references: validate_set).
  // Off for a caller that decodes documents one at a time and checks the
  // set they make afterwards (the Kubernetes source: one object each).
  bool cross_document_rules = true;
  // Whether credentials.secretRef can be read where this set is used: the
  // kubernetes mode reads Secrets through the API (controller/source/
  // kube_secrets.h), so a secretRef there is as normal as env or file and
  // gets no kubernetes_only_warnings. False (files and git): each secretRef
  // is warned about, since the provider of its ProviderConfig is refused.
  bool secret_refs_readable = false;
  // The provider types the set may use (spec.type, the spec.<type> blocks,
  // their rules); null: Registry::builtin(). A build that registers more
  // types passes its own (tests/extension/).
  const providers::Registry* registry = nullptr;
};

struct LoadResult {
  ManifestSet set;
  std::vector<Diagnostic> errors;  // sorted by position; empty when the set is valid
  // Not errors: fields a workspace sets that its provider never receives
  // (local_only_warnings), and documents of other API groups that were
  // skipped (foreign_document in decode.h). Printed, never a reason to
  // refuse the set; sorted by position.
  std::vector<Diagnostic> warnings;
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
  bool provider_configs_only = false;  // from LoadOptions::provider_config_paths
};
LoadResult load_texts(const std::vector<SourceText>& texts, const LoadOptions& options = {});
// One document already parsed as JSON (an object from the Kubernetes API),
// loaded as load_texts loads its JSON text under that name, without the
// text (controller/manifest/json_tree.h).
LoadResult load_json(const std::string& name, const nlohmann::json& value,
                     const LoadOptions& options = {});
// Moves `part` (loaded from texts that come after into's) behind `into`:
// its documents, errors and warnings, as if loaded together.
void append_loaded(LoadResult& into, LoadResult&& part);

// The rules across documents of ARCHITECTURE.md section 1, appended to errors.
void validate_set(const ManifestSet& set, std::vector<Diagnostic>& errors,
                  const providers::Registry& registry = providers::Registry::builtin());

// One warning per field a valid workspace sets that its provider does not
// receive (model::Workspace::local_only_fields), at the field, sorted.
std::vector<Diagnostic> local_only_warnings(
    const ManifestSet& set, const providers::Registry& registry = providers::Registry::builtin());

// One warning per valid ProviderConfig whose credentials are a secretRef,
// at the field: only the kubernetes mode reads Secrets, so the file and git
// modes refuse it when they make its provider (providers/registry.cpp), yet
// a repository of manifests meant for a cluster validates.
std::vector<Diagnostic> kubernetes_only_warnings(const ManifestSet& set);

}  // namespace wsop::manifest
