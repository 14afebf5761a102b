// metadata: name, namespace, labels and annotations, shared by both kinds.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "controller/manifest/reader.h"

namespace wsop::manifest {

struct Metadata {
  std::string name;
  std::optional<std::string> ns;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

// Reads root.metadata, reporting problems to reader; fills what it can.
// namespaced=false rejects metadata.namespace (cluster-scoped kinds).
Metadata decode_metadata(Reader& reader, const YamlNode& root, bool namespaced);

}  // namespace wsop::manifest
