#include "controller/manifest/decode.h"

#include <filesystem>
#include <string_view>

#include "controller/manifest/reader.h"

namespace wsop::manifest {
namespace {

constexpr std::string_view kOurGroup = "workspace-operator.io";

const std::string* scalar_of(const YamlNode& root, std::string_view key) {
  const YamlNode* node = root.find(key);
  return node && node->kind == YamlNode::Kind::kScalar ? &node->value : nullptr;
}

// kustomize reads kustomization.yaml, .yml or Kustomization, whose
// apiVersion and kind are optional.
bool is_kustomization_file(const std::string& file) {
  std::string base = std::filesystem::path(file).filename().string();
  return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization";
}

// Ours: workspace-operator.io and its subdomains; "v1" (no slash) is core.
bool is_our_group(std::string_view api_version) {
  size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view group = api_version.substr(0, slash);
  if (group == kOurGroup) return true;
  return group.size() > kOurGroup.size() &&
         group.substr(group.size() - kOurGroup.size() - 1) == "." + std::string(kOurGroup);
}

std::string shown(const std::string* text) {
  constexpr size_t kLongest = 80;  // a warning line, not a dump of the document
  if (!text) return "<none>";
  return text->size() > kLongest ? text->substr(0, kLongest) + "..." : *text;
}

}  // namespace

std::optional<Diagnostic> foreign_document(const YamlDocument& document, const std::string& file) {
  const YamlNode& root = *document.root;
  if (root.kind != YamlNode::Kind::kMap) return std::nullopt;
  const std::string* api_version = scalar_of(root, "apiVersion");
  const std::string* kind = scalar_of(root, "kind");
  if (api_version && is_our_group(*api_version)) return std::nullopt;
  if (kind && (*kind == model::kKindWorkspace || *kind == model::kKindProviderConfig)) {
    return std::nullopt;
  }
  if (!kind && !(is_kustomization_file(file) && !root.find("kind"))) return std::nullopt;
  if (kind && !api_version) return std::nullopt;  // incomplete: the decoder says what is missing
  // The message is split so that Diagnostic::to_string prints
  // "FILE:LINE:COL: skipped kind X (apiVersion Y): not a workspace-operator.io resource".
  std::string what =
      kind ? "skipped kind " + shown(kind) + " (apiVersion " + shown(api_version) + ")"
           : "skipped kustomize file (apiVersion " + shown(api_version) + ")";
  return Diagnostic{file, root.mark, std::move(what),
                    "not a " + std::string(kOurGroup) + " resource"};
}

std::optional<DecodedDocument> decode_document(const YamlDocument& document, DiagnosticSink& sink,
                                               const http::CredentialPolicy& credentials,
                                               const providers::Registry& registry) {
  const YamlNode& root = *document.root;
  Reader reader(sink);
  if (value_type(root) == ValueType::kNull) return std::nullopt;  // "---" with nothing after
  if (!reader.object(root, "<document>")) return std::nullopt;

  size_t errors_before = sink.count();
  const YamlNode* api_version = reader.required(root, "", "apiVersion");
  const YamlNode* kind = reader.required(root, "", "kind");
  if (api_version) {
    auto text = reader.string(*api_version, "apiVersion");
    if (text && *text != model::kApiVersion) {
      reader.error(api_version->mark, "apiVersion",
                   "unknown apiVersion \"" + *text + "\": expected " + model::kApiVersion);
    }
  }
  std::optional<std::string> kind_text;
  if (kind) kind_text = reader.one_of(*kind, "kind", {"Workspace", "ProviderConfig"});
  if (!kind_text) return std::nullopt;

  // A bad apiVersion does not stop decoding: the kind says what the user
  // meant, and the rest of the document's errors are worth reporting too.
  DecodedDocument out;
  if (*kind_text == model::kKindWorkspace) {
    out.resource = decode_workspace(root, sink, registry);
  } else {
    out.resource = decode_provider_config(root, sink, credentials, registry);
  }
  out.valid = sink.count() == errors_before;
  out.error_paths = sink.paths_since(errors_before);
  return out;
}

}  // namespace wsop::manifest
