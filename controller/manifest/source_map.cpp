#include "controller/manifest/source_map.h"

#include <functional>

#include "api/v1alpha1/types.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/reader.h"

namespace wsop::manifest {
namespace {

const YamlNode* child(const YamlNode* map, const char* key) {
  return map ? map->find(key) : nullptr;
}

Mark mark_of(const YamlNode* node) {
  return node ? node->mark : Mark{};
}

// A field's value, else the map that should hold it: where the loader
// places an error about it.
Mark value_or_map(const YamlNode* map, const char* key) {
  return map ? Reader::mark_of(*map, key) : Mark{};
}

}  // namespace

const std::string& DocumentSource::file_name() const {
  static const std::string kNone;
  return file ? *file : kNone;
}

Mark DocumentSource::block(const std::string& type) const {
  for (const auto& [name, at] : blocks) {
    if (name == type) return at;
  }
  return {};
}

DocumentSource read_source(const YamlNode& root, std::shared_ptr<const std::string> file,
                           const std::vector<std::string>& block_names) {
  DocumentSource out;
  out.file = std::move(file);
  out.start = root.mark;
  const YamlNode* metadata = child(&root, "metadata");
  out.name = mark_of(child(metadata, "name"));
  out.labels = mark_of(child(metadata, "labels"));
  out.external_name =
      mark_of(child(child(metadata, "annotations"), model::kAnnotationExternalName));
  const YamlNode* spec = child(&root, "spec");
  out.spec = mark_of(spec);
  out.provider_config_ref = mark_of(child(child(spec, "providerConfigRef"), "name"));
  out.external_id = value_or_map(spec, "externalId");
  out.display_name = value_or_map(spec, "displayName");
  out.description = mark_of(child(spec, "description"));
  out.hardware = mark_of(child(spec, "hardware"));
  out.secret_ref = mark_of(child(child(spec, "credentials"), "secretRef"));
  for (const std::string& name : block_names) {
    out.blocks.emplace_back(name, mark_of(child(spec, name.c_str())));
  }
  return out;
}

namespace {

// The source of element when it is one of elements and the map is in step.
template <class T>
const DocumentSource* source_in(const std::vector<T>& elements, const T& element,
                                const std::vector<DocumentSource>& sources) {
  if (elements.empty() || sources.size() != elements.size()) return nullptr;
  const T* first = elements.data();
  const T* end = first + elements.size();
  std::less<const T*> before;
  if (before(&element, first) || !before(&element, end)) return nullptr;
  return &sources[static_cast<size_t>(&element - first)];
}

}  // namespace

const DocumentSource* ManifestSet::source_of(const model::ProviderConfig& config) const {
  return source_in(provider_configs, config, sources.provider_configs);
}

const DocumentSource* ManifestSet::source_of(const model::Workspace& workspace) const {
  return source_in(workspaces, workspace, sources.workspaces);
}

}  // namespace wsop::manifest
