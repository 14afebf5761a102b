// Where each loaded document came from: its file, where it starts and where
// the fields sit that the rules across documents and the warnings point at.
// The resource types (api/v1alpha1/types.h) carry no position: a
// resource read from the Kubernetes API has none, and the desired state a
// controller keeps needs none, so positions live beside the set that was
// loaded, for as long as messages about it may be printed.
//
// Contract:
//  - A SourceMap is filled by the loader (load.cpp) in step with the set's
//    valid documents: sources.workspaces[i] is where set.workspaces[i] came
//    from, and likewise for ProviderConfigs. A rejected document carries its
//    own DocumentSource (RejectedDocument::source).
//  - Code that reorders or filters a set's vectors after loading must do the
//    same to the map, or drop it (ManifestSet::drop_sources): a lookup then
//    finds nothing, and messages fall back to no position. A set built by
//    hand has an empty map.
//  - A Mark of line 0 is a field the document does not set.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "controller/manifest/yaml_tree.h"

namespace wsop::manifest {

struct DocumentSource {
  std::shared_ptr<const std::string> file;  // shared by the documents of one file
  Mark start;                               // the document's start

  // Both kinds.
  Mark name;  // metadata.name's value
  Mark labels;
  // A Workspace's.
  Mark spec;
  Mark provider_config_ref;  // spec.providerConfigRef.name's value
  Mark external_id;          // spec.externalId, else the spec map
  Mark display_name;         // spec.displayName, else the spec map
  Mark description;
  Mark hardware;
  Mark external_name;  // the external-name annotation's value
  // spec.<type> blocks, by type name, in document order.
  std::vector<std::pair<std::string, Mark>> blocks;
  // A ProviderConfig's spec.credentials.secretRef.
  Mark secret_ref;

  const std::string& file_name() const;
  // `at` when the document sets that field, else the document's start.
  Mark or_start(Mark at) const { return at.line > 0 ? at : start; }
  // Where spec.<type> sits; line 0 when the document has no such block.
  Mark block(const std::string& type) const;
};

// Reads a document's positions from its tree (valid or not: the marks of
// what is there). file is shared with the file's other documents;
// block_names are the spec.<type> blocks the decoder found.
DocumentSource read_source(const YamlNode& root, std::shared_ptr<const std::string> file,
                           const std::vector<std::string>& block_names);

struct SourceMap {
  std::vector<DocumentSource> provider_configs;  // in step with ManifestSet's
  std::vector<DocumentSource> workspaces;
};

}  // namespace wsop::manifest
