// Internal to kube/: the kubeconfig reader behind load_config (config.h).
// A file is named in messages by its display name ("~/.kube/config"),
// which may differ from the path it is read from.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "kube/config.h"

namespace wsop::kube::detail {

struct KubeconfigFile {
  std::string path;
  std::string display;
  bool required = false;  // a missing file is an error, not skipped
};

Outcome<RestConfig> load_kubeconfig_files(const std::vector<KubeconfigFile>& files,
                                          const std::string& context_override);

}  // namespace wsop::kube::detail
