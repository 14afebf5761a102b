// Turns one YAML document into a typed resource, applying the defaults of
// ARCHITECTURE.md section 1 and the rules that need only that document.
// Rules across documents (references, duplicates, provider blocks) are in
// validate.h.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/v1alpha1/types.h"
#include "controller/manifest/diagnostic.h"
#include "controller/manifest/yaml_tree.h"
#include "providers/http/credential_policy.h"
#include "providers/registry.h"

namespace wsop::manifest {

using Resource = std::variant<model::ProviderConfig, model::Workspace>;

// One decoded document. When it has errors of its own (in sink), valid is
// false and resource holds only what could be read: names, references,
// which blocks are present. The rules across documents still
// check it, so that every error of the set is reported, but it must never be
// applied; error_paths are the fields its errors are about, which those rules
// must not trust.
struct DecodedDocument {
  Resource resource;
  bool valid = true;
  std::vector<std::string> error_paths;
};

// Nothing (and no error) for an empty document; nothing with errors in sink
// for one whose kind cannot be told (not a map, kind missing or unknown).
// credentials: the variables and files a ProviderConfig may name;
// registry: the provider types spec.type and the spec.<type> blocks may
// name (LoadOptions::registry).
std::optional<DecodedDocument> decode_document(
    const YamlDocument& document, DiagnosticSink& sink, const http::CredentialPolicy& credentials,
    const providers::Registry& registry = providers::Registry::builtin());

// A document of another API group (kustomize's kustomization.yaml, a
// Namespace, a ConfigMap) that shares the source directory: not ours, so
// skipped with a warning, "skipped kind X (apiVersion Y): not a
// workspace-operator.io resource". A document of our group, or of our kinds
// under a misspelt group, is never foreign: a typo there must stay an error
// (skipping it would let --prune delete the workspace it meant).
// file: the document's file name (a kustomization.yaml may omit its kind).
std::optional<Diagnostic> foreign_document(const YamlDocument& document, const std::string& file);

// Per kind; root is the document's map, known to have that kind. They fill
// what they can and report every problem to sink: the result is valid only
// if sink received nothing.
model::ProviderConfig decode_provider_config(
    const YamlNode& root, DiagnosticSink& sink, const http::CredentialPolicy& credentials,
    const providers::Registry& registry = providers::Registry::builtin());
model::Workspace decode_workspace(
    const YamlNode& root, DiagnosticSink& sink,
    const providers::Registry& registry = providers::Registry::builtin());

}  // namespace wsop::manifest
