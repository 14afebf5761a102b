// Expands paths into texts, decodes every document and validates the set.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>

#include "controller/manifest/decode.h"
#include "controller/manifest/json_tree.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/tree_walk.h"

namespace wsop::manifest {
namespace fs = std::filesystem;
namespace {

const providers::Registry& registry_of(const LoadOptions& options) {
  return options.registry ? *options.registry : providers::Registry::builtin();
}

constexpr const char* kStdinName = "<stdin>";

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
// git-sync's ".worktrees" behind its symlink), in a stable order; a symlink
// loop is an error naming it (controller/manifest/tree_walk.h).
std::vector<std::string> list_directory(const fs::path& dir, const LoadOptions& options,
                                        std::vector<Diagnostic>& errors) {
  WalkOptions walk;
  walk.cancel = options.cancel;
  auto tree = walk_source_tree(dir, walk);
  if (!tree) {
    error_at_file(errors, dir.string(), tree.status().message());
    return {};
  }
  std::vector<std::string> files;
  for (const auto& file : tree->files) files.push_back(file.string());
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
      for (const std::string& file : list_directory(path, options, errors)) {
        if (options.cancel && options.cancel->load()) break;
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

bool is_document_marker(std::string_view line) {
  if (line.substr(0, 3) != "---" && line.substr(0, 3) != "...") return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' ||
         line[3] == '\n';
}

// Where the document that stopped parsing at line starts: after the last
// document marker before that line (the error is often reported at the next
// marker), else at the start of the text.
size_t failed_document_offset(std::string_view text, int line) {
  size_t offset = 0, line_start = 0;
  for (int current = 1; current < line && line_start < text.size(); ++current) {
    if (is_document_marker(text.substr(line_start))) offset = line_start;
    size_t newline = text.find('\n', line_start);
    if (newline == std::string_view::npos) break;
    line_start = newline + 1;
  }
  return offset;
}

// Parsing stops at the first error, so the documents from the failing one on
// are never decoded. Their ProviderConfig names are unknown only if that
// unread text mentions a ProviderConfig at all; a binary or oversized input
// is unread from its start.
bool unread_text_may_define_provider_configs(std::string_view text, const YamlParseResult& parsed) {
  size_t from = 0;
  if (!parsed.documents.empty()) from = failed_document_offset(text, parsed.errors[0].mark.line);
  return text.find(model::kKindProviderConfig, from) != std::string_view::npos;
}

// The name a ProviderConfig document gives itself, as written, even when it is
// not a valid name (a reference to it has then failed in the same way).
std::optional<std::string> written_name(const YamlNode& root) {
  const YamlNode* metadata = root.find("metadata");
  const YamlNode* name = metadata ? metadata->find("name") : nullptr;
  if (!name || name->kind != YamlNode::Kind::kScalar) return std::nullopt;
  return name->value;
}

std::vector<std::string> block_names(const model::ProviderSpecParts& parts) {
  std::vector<std::string> names;
  for (const auto& entry : parts) names.push_back(entry.first);
  return names;
}

void add_document(const YamlDocument& document, DecodedDocument decoded,
                  const std::shared_ptr<const std::string>& file, ManifestSet& set) {
  if (auto* ws = std::get_if<model::Workspace>(&decoded.resource)) {
    DocumentSource source = read_source(*document.root, file, block_names(ws->provider_specs));
    if (decoded.valid) {
      set.workspaces.push_back(std::move(*ws));
      set.sources.workspaces.push_back(std::move(source));
    } else {
      set.rejected_workspaces.push_back({std::move(*ws), std::move(source),
                                         std::move(decoded.error_paths), set.workspaces.size()});
    }
    return;
  }
  auto& config = std::get<model::ProviderConfig>(decoded.resource);
  DocumentSource source = read_source(*document.root, file, {});
  if (decoded.valid) {
    set.provider_configs.push_back(std::move(config));
    set.sources.provider_configs.push_back(std::move(source));
    return;
  }
  if (auto name = written_name(*document.root)) set.invalid_provider_config_names.insert(*name);
  set.rejected_provider_configs.push_back({std::move(config), std::move(source),
                                           std::move(decoded.error_paths),
                                           set.provider_configs.size()});
}

// In a --provider-configs file, any document but a ProviderConfig (one with
// no kind included, which decoding reports) belongs to another source.
std::optional<Diagnostic> not_a_provider_config(const YamlDocument& document,
                                                const std::string& file) {
  const YamlNode* kind = document.root ? document.root->find("kind") : nullptr;
  if (!kind || kind->kind != YamlNode::Kind::kScalar || kind->value == "ProviderConfig") {
    return std::nullopt;
  }
  return Diagnostic{file, document.start, "<document>",
                    "skipped kind " + kind->value +
                        ": --provider-configs files are read for their ProviderConfigs only"};
}

// The documents of one input, parsed: errors filed under name.
void load_parsed(const std::string& name, YamlParseResult parsed, bool provider_configs_only,
                 const LoadOptions& options, LoadResult& result) {
  for (const YamlError& error : parsed.errors) {
    result.errors.push_back({name, error.mark, "<document>", error.message});
  }
  DiagnosticSink sink(name, result.errors);
  auto file = std::make_shared<const std::string>(name);
  for (const YamlDocument& document : expand_lists(std::move(parsed.documents))) {
    if (++result.documents > options.max_total_documents) {
      sink.add(document.start, "<document>",
               "too many documents in the set (limit " +
                   std::to_string(options.max_total_documents) + ")");
      result.set.provider_config_names_unknown = true;  // the rest is never decoded
      return;
    }
    if (auto skipped = foreign_document(document, name)) {
      result.warnings.push_back(std::move(*skipped));
      continue;
    }
    if (provider_configs_only) {
      if (auto skipped = not_a_provider_config(document, name)) {
        result.warnings.push_back(std::move(*skipped));
        continue;
      }
    }
    if (auto decoded = decode_document(document, sink, options.credentials, registry_of(options))) {
      add_document(document, std::move(*decoded), file, result.set);
    }
  }
}

void load_text(const SourceText& text, const LoadOptions& options, LoadResult& result) {
  YamlParseResult parsed = parse_yaml(text.content, options.limits);
  if (!parsed.errors.empty() && unread_text_may_define_provider_configs(text.content, parsed)) {
    result.set.provider_config_names_unknown = true;
  }
  load_parsed(text.name, std::move(parsed), text.provider_configs_only, options, result);
}

// A Workspace is large: an empty vector takes the other's buffer, and a
// filled one grows once, not by doubling.
template <class T>
void append_moved(std::vector<T>& into, std::vector<T>& from) {
  if (into.empty()) {
    into = std::move(from);
    return;
  }
  // Geometric growth: reserving exactly size() + from.size() would move the
  // whole vector on every append, quadratic when a caller appends one
  // object's result at a time (controller/source/kube_objects.cpp).
  if (size_t needed = into.size() + from.size(); needed > into.capacity()) {
    into.reserve(std::max(needed, 2 * into.capacity()));
  }
  std::move(from.begin(), from.end(), std::back_inserter(into));
}

// Moves a partial result, loaded from the files after `into`'s, behind it.
void append_result(LoadResult& into, LoadResult&& part) {
  ManifestSet& set = into.set;
  ManifestSet& from = part.set;
  for (auto& rejected : from.rejected_workspaces) {
    rejected.valid_before += set.workspaces.size();
    set.rejected_workspaces.push_back(std::move(rejected));
  }
  for (auto& rejected : from.rejected_provider_configs) {
    rejected.valid_before += set.provider_configs.size();
    set.rejected_provider_configs.push_back(std::move(rejected));
  }
  append_moved(set.workspaces, from.workspaces);
  append_moved(set.provider_configs, from.provider_configs);
  append_moved(set.sources.workspaces, from.sources.workspaces);
  append_moved(set.sources.provider_configs, from.sources.provider_configs);
  set.invalid_provider_config_names.merge(from.invalid_provider_config_names);
  set.provider_config_names_unknown |= from.provider_config_names_unknown;
  std::move(part.errors.begin(), part.errors.end(), std::back_inserter(into.errors));
  std::move(part.warnings.begin(), part.warnings.end(), std::back_inserter(into.warnings));
  into.documents += part.documents;
}

unsigned loader_threads(const LoadOptions& options, const std::vector<SourceText>& texts) {
  size_t files = std::max<size_t>(1, texts.size());
  if (options.threads) return static_cast<unsigned>(std::min<size_t>(options.threads, files));
  constexpr size_t kBytesPerThread = 256 * 1024;  // below that a thread costs more than it saves
  size_t bytes = 0;
  for (const SourceText& text : texts) bytes += text.content.size();
  size_t cores = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<unsigned>(
      std::clamp<size_t>(bytes / kBytesPerThread, 1, std::min(cores, files)));
}

// Parsing (yaml-cpp) is most of a load and files are independent: a large
// set is cut into contiguous runs of files, each loaded by its own thread
// into its own partial result, then appended in file order, so the set, its
// order and its errors are those of one thread reading every file.
void load_all_texts(const std::vector<SourceText>& texts, const LoadOptions& options,
                    LoadResult& result) {
  unsigned threads = loader_threads(options, texts);
  size_t per_run = (texts.size() + threads - 1) / std::max(1u, threads);
  std::vector<LoadResult> parts(std::max(1u, threads));
  auto load_run = [&](size_t run) {
    for (size_t i = run * per_run; i < std::min(texts.size(), (run + 1) * per_run); ++i) {
      if (options.cancel && options.cancel->load()) return;
      load_text(texts[i], options, parts[run]);
    }
  };
  std::vector<std::thread> workers;
  size_t spawned = 1;
  try {
    for (; spawned < parts.size(); ++spawned) workers.emplace_back(load_run, spawned);
  } catch (const std::system_error&) {
    // No thread to be had: this one loads the runs that have none.
  }
  load_run(0);
  for (size_t run = spawned; run < parts.size(); ++run) load_run(run);
  for (std::thread& worker : workers) worker.join();
  for (LoadResult& part : parts) append_result(result, std::move(part));
}

// The rules across documents, the warnings, and both lists in order.
void finish_set(const LoadOptions& options, LoadResult& result) {
  if (options.cross_document_rules) validate_set(result.set, result.errors, registry_of(options));
  sort_diagnostics(result.errors);
  auto local_only = local_only_warnings(result.set, registry_of(options));
  std::move(local_only.begin(), local_only.end(), std::back_inserter(result.warnings));
  if (!options.secret_refs_readable) {
    auto kubernetes_only = kubernetes_only_warnings(result.set);
    std::move(kubernetes_only.begin(), kubernetes_only.end(), std::back_inserter(result.warnings));
  }
  sort_diagnostics(result.warnings);
}

// input_errors: files or directories that could not be read.
LoadResult load_set(const std::vector<SourceText>& texts, const LoadOptions& options,
                    std::vector<Diagnostic> input_errors) {
  LoadResult result;
  result.files = texts.size();
  // An input that could not be read may hold the ProviderConfigs referenced.
  result.set.provider_config_names_unknown = !input_errors.empty();
  result.errors = std::move(input_errors);
  LoadResult loaded;
  load_all_texts(texts, options, loaded);
  if (loaded.documents > options.max_total_documents && options.threads != 1) {
    // Each run counted only its own documents: the error belongs at the
    // first document past the limit, which only one reader in order finds.
    LoadOptions in_order = options;
    in_order.threads = 1;
    loaded = LoadResult{};
    load_all_texts(texts, in_order, loaded);
  }
  append_result(result, std::move(loaded));
  if (options.cancel && options.cancel->load()) {
    error_at_file(result.errors, "<load>", "cancelled: the controller is stopping");
  }
  finish_set(options, result);
  return result;
}

}  // namespace

const model::ProviderConfig* ManifestSet::find_provider_config(const std::string& name) const {
  for (const auto& config : provider_configs) {
    if (config.name == name) return &config;
  }
  return nullptr;
}

void append_loaded(LoadResult& into, LoadResult&& part) {
  into.files += part.files;
  append_result(into, std::move(part));
}

LoadResult load_texts(const std::vector<SourceText>& texts, const LoadOptions& options) {
  return load_set(texts, options, {});
}

LoadResult load_json(const std::string& name, const nlohmann::json& value,
                     const LoadOptions& options) {
  LoadResult result;
  result.files = 1;
  YamlParseResult parsed = tree_of_json(value, options.limits);
  // Nothing of it was decoded: it may have been a ProviderConfig.
  if (!parsed.errors.empty()) result.set.provider_config_names_unknown = true;
  load_parsed(name, std::move(parsed), /*provider_configs_only=*/false, options, result);
  finish_set(options, result);
  return result;
}

LoadResult load_manifests(const std::vector<std::string>& paths, std::istream& stdin_stream,
                          const LoadOptions& options) {
  std::vector<Diagnostic> errors;
  std::vector<SourceText> texts = expand_paths(paths, stdin_stream, options, errors);
  std::vector<SourceText> configs =
      expand_paths(options.provider_config_paths, stdin_stream, options, errors);
  for (SourceText& text : configs) {
    text.provider_configs_only = true;
    texts.push_back(std::move(text));
  }
  return load_set(texts, options, std::move(errors));
}

}  // namespace wsop::manifest
