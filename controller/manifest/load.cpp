// Expands paths into texts, decodes every document and validates the set.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "controller/manifest/decode.h"
#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStdinName = "<stdin>";

bool has_manifest_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

void error_at_file(std::vector<Diagnostic>& errors, const std::string& file, std::string message) {
  errors.push_back({file, {1, 1}, "<file>", std::move(message)});
}

// Reads at most limit+1 bytes, so an oversized file is refused without
// reading it whole.
bool read_bounded(std::istream& in, size_t limit, std::string& out) {
  out.clear();
  char buffer[65536];
  while (in && out.size() <= limit) {
    in.read(buffer, sizeof buffer);
    out.append(buffer, static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

// Files under a directory, recursively, skipping hidden entries (".git", and
// git-sync's ".worktrees" behind its symlink), in a stable order.
std::vector<std::string> list_directory(const fs::path& dir, std::vector<Diagnostic>& errors) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it.depth() > 32) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && has_manifest_extension(it->path())) {
      files.push_back(it->path().string());
    }
  }
  if (ec) error_at_file(errors, dir.string(), "cannot read directory: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

void read_file(const std::string& name, const LoadOptions& options, std::vector<SourceText>& texts,
               std::vector<Diagnostic>& errors) {
  std::ifstream in(name, std::ios::binary);
  SourceText text{name, {}};
  if (!in || !read_bounded(in, options.limits.max_input_bytes, text.content)) {
    error_at_file(errors, name, "cannot read file");
    return;
  }
  texts.push_back(std::move(text));
}

std::vector<SourceText> expand_paths(const std::vector<std::string>& paths,
                                     std::istream& stdin_stream, const LoadOptions& options,
                                     std::vector<Diagnostic>& errors) {
  std::vector<SourceText> texts;
  for (const std::string& path : paths) {
    if (path == "-") {
      SourceText text{kStdinName, {}};
      read_bounded(stdin_stream, options.limits.max_input_bytes, text.content);
      texts.push_back(std::move(text));
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      error_at_file(errors, path, "no such file or directory");
    } else if (fs::is_directory(status)) {
      for (const std::string& file : list_directory(path, errors)) {
        if (texts.size() >= options.max_files) {
          error_at_file(errors, path,
                        "too many files (limit " + std::to_string(options.max_files) + ")");
          break;
        }
        read_file(file, options, texts, errors);
      }
    } else {
      read_file(path, options, texts, errors);
    }
  }
  return texts;
}

// kubectl's "kind: List" (what `wsctl validate -o json` prints): each item
// is decoded as if it were its own document.
std::vector<YamlDocument> expand_lists(std::vector<YamlDocument> documents) {
  std::vector<YamlDocument> out;
  for (YamlDocument& document : documents) {
    const YamlNode* kind = document.root->find("kind");
    const YamlNode* items = document.root->find("items");
    const YamlNode* api = document.root->find("apiVersion");
    bool is_list = kind && kind->value == "List" && api && api->value == "v1" && items &&
                   items->kind == YamlNode::Kind::kSequence;
    if (!is_list) {
      out.push_back(std::move(document));
      continue;
    }
    for (const NodePtr& item : items->items) {
      out.push_back({item, item->mark, document.index});
    }
  }
  return out;
}

// The positions validate_set needs beyond model::WorkspaceMarks, read from a
// Workspace document that decoded without errors.
WorkspaceFieldMarks field_marks(const YamlNode& root) {
  WorkspaceFieldMarks marks;
  if (const YamlNode* spec = root.find("spec")) marks.spec = spec->mark;
  const YamlNode* metadata = root.find("metadata");
  const YamlNode* annotations = metadata ? metadata->find("annotations") : nullptr;
  const YamlNode* name = annotations ? annotations->find(model::kAnnotationExternalName) : nullptr;
  if (name) marks.external_name = name->mark;
  return marks;
}

void load_text(const SourceText& text, const LoadOptions& options, LoadResult& result) {
  YamlParseResult parsed = parse_yaml(text.content, options.limits);
  for (const YamlError& error : parsed.errors) {
    result.errors.push_back({text.name, error.mark, "<document>", error.message});
  }
  // Parsing stopped at the error: ProviderConfigs after it were never read.
  if (!parsed.errors.empty()) result.set.has_invalid_provider_configs = true;
  DiagnosticSink sink(text.name, result.errors);
  for (const YamlDocument& document : expand_lists(std::move(parsed.documents))) {
    if (++result.documents > options.max_total_documents) {
      sink.add(document.start, "<document>",
               "too many documents in the set (limit " +
                   std::to_string(options.max_total_documents) + ")");
      return;
    }
    auto resource = decode_document(document, sink);
    if (!resource) {
      const YamlNode* kind = document.root->find("kind");
      if (kind && kind->value == model::kKindProviderConfig)
        result.set.has_invalid_provider_configs = true;
      continue;
    }
    if (auto* ws = std::get_if<model::Workspace>(&*resource)) {
      result.set.workspace_field_marks[{ws->position.file, ws->position.at.line,
                                        ws->position.at.column}] = field_marks(*document.root);
      result.set.workspaces.push_back(std::move(*ws));
    } else {
      result.set.provider_configs.push_back(std::get<model::ProviderConfig>(std::move(*resource)));
    }
  }
}

}  // namespace

const model::ProviderConfig* ManifestSet::find_provider_config(const std::string& name) const {
  for (const auto& config : provider_configs) {
    if (config.name == name) return &config;
  }
  return nullptr;
}

LoadResult load_texts(const std::vector<SourceText>& texts, const LoadOptions& options) {
  LoadResult result;
  result.files = texts.size();
  for (const SourceText& text : texts) load_text(text, options, result);
  validate_set(result.set, result.errors);
  sort_diagnostics(result.errors);
  return result;
}

LoadResult load_manifests(const std::vector<std::string>& paths, std::istream& stdin_stream,
                          const LoadOptions& options) {
  std::vector<Diagnostic> errors;
  std::vector<SourceText> texts = expand_paths(paths, stdin_stream, options, errors);
  LoadResult result = load_texts(texts, options);
  result.errors.insert(result.errors.begin(), errors.begin(), errors.end());
  sort_diagnostics(result.errors);
  return result;
}

}  // namespace wsop::manifest
