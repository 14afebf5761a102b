#include "controller/manifest/decode_metadata.h"

#include "api/v1alpha1/types.h"
#include "controller/manifest/rules.h"

namespace wsop::manifest {
namespace {

void check_labels(Reader& reader, const YamlNode& map, const std::string& path,
                  const std::map<std::string, std::string>& labels, bool check_values) {
  for (const auto& entry : map.entries) {
    std::string field = path + "[" + entry.key + "]";
    if (auto problem = check_label_key(entry.key); !problem.empty()) {
      reader.error(entry.key_mark, field, problem);
    }
    auto it = labels.find(entry.key);
    if (!check_values || it == labels.end()) continue;
    if (auto problem = check_label_value(it->second); !problem.empty()) {
      reader.error(entry.value->mark, field, problem);
    }
  }
}

// The annotations the operator reads have value rules of their own.
void check_known_annotations(Reader& reader, const YamlNode& map,
                             const std::map<std::string, std::string>& annotations) {
  auto at = [&](const char* key) { return Reader::mark_of(map, key); };
  auto path = [](const char* key) { return std::string("metadata.annotations[") + key + "]"; };
  if (auto it = annotations.find(model::kAnnotationPaused); it != annotations.end()) {
    if (it->second != "true" && it->second != "false") {
      reader.error(at(model::kAnnotationPaused), path(model::kAnnotationPaused),
                   "must be \"true\" or \"false\"");
    }
  }
  if (auto it = annotations.find(model::kAnnotationExternalName); it != annotations.end()) {
    if (it->second.empty()) {
      reader.error(at(model::kAnnotationExternalName), path(model::kAnnotationExternalName),
                   "must not be empty: remove the annotation to let the operator create the "
                   "workspace");
    } else if (auto problem = check_printable(it->second, 253); !problem.empty()) {
      reader.error(at(model::kAnnotationExternalName), path(model::kAnnotationExternalName),
                   problem);
    }
  }
}

}  // namespace

Metadata decode_metadata(Reader& reader, const YamlNode& root, bool namespaced) {
  Metadata out;
  const YamlNode* node = reader.required(root, "", "metadata");
  if (!node || !reader.object(*node, "metadata")) return out;
  for (const auto& entry : node->entries) {
    if (entry.key == "name" || entry.key == "labels" || entry.key == "annotations") continue;
    if (entry.key != "namespace") {
      reader.error(entry.key_mark, "metadata." + entry.key, "unknown field \"" + entry.key + "\"");
    } else if (!namespaced) {
      reader.error(entry.key_mark, "metadata.namespace",
                   "ProviderConfig is cluster-scoped: remove metadata.namespace");
    }
  }
  if (const YamlNode* name = reader.required(*node, "metadata", "name")) {
    if (auto text = reader.string(*name, "metadata.name")) {
      out.name = *text;
      if (auto problem = check_dns1123_label(*text); !problem.empty())
        reader.error(name->mark, "metadata.name", problem);
    }
  }
  if (const YamlNode* ns = node->find("namespace"); ns && namespaced) {
    if (auto text = reader.string(*ns, "metadata.namespace")) {
      out.ns = *text;
      if (auto problem = check_dns1123_label(*text); !problem.empty())
        reader.error(ns->mark, "metadata.namespace", problem);
    }
  }
  if (const YamlNode* map = node->find("labels")) {
    if (auto values = reader.string_map(*map, "metadata.labels")) {
      check_labels(reader, *map, "metadata.labels", *values, true);
      out.labels = std::move(*values);
    }
  }
  if (const YamlNode* map = node->find("annotations")) {
    if (auto values = reader.string_map(*map, "metadata.annotations")) {
      check_labels(reader, *map, "metadata.annotations", *values, false);
      check_known_annotations(reader, *map, *values);
      out.annotations = std::move(*values);
    }
  }
  return out;
}

}  // namespace wsop::manifest
