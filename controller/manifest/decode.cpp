#include "controller/manifest/decode.h"

#include "controller/manifest/reader.h"

namespace wsop::manifest {

std::optional<DecodedDocument> decode_document(const YamlDocument& document, DiagnosticSink& sink,
                                               const http::CredentialPolicy& credentials) {
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
  model::SourcePosition position{sink.file(), to_line_col(root.mark)};
  DecodedDocument out;
  if (*kind_text == model::kKindWorkspace) {
    model::Workspace workspace = decode_workspace(root, sink);
    workspace.position = std::move(position);
    out.resource = std::move(workspace);
  } else {
    model::ProviderConfig config = decode_provider_config(root, sink, credentials);
    config.position = std::move(position);
    out.resource = std::move(config);
  }
  out.valid = sink.count() == errors_before;
  out.error_paths = sink.paths_since(errors_before);
  return out;
}

}  // namespace wsop::manifest
