#include "controller/manifest/decode.h"

#include "controller/manifest/reader.h"

namespace wsop::manifest {

std::optional<Resource> decode_document(const YamlDocument& document, DiagnosticSink& sink) {
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
  if (sink.count() != errors_before || !kind_text) return std::nullopt;

  model::SourcePosition position{sink.file(), to_line_col(root.mark)};
  if (*kind_text == model::kKindWorkspace) {
    model::Workspace workspace = decode_workspace(root, sink);
    workspace.position = std::move(position);
    if (sink.count() != errors_before) return std::nullopt;
    return Resource(std::move(workspace));
  }
  model::ProviderConfig config = decode_provider_config(root, sink);
  config.position = std::move(position);
  if (sink.count() != errors_before) return std::nullopt;
  return Resource(std::move(config));
}

}  // namespace wsop::manifest
