// Readers of the YAML configuration's fields (config.h), shared by the
// simulators' own sections (each descriptor's read_config_key). Messages are
// "path: problem" and never repeat a token (common/status.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace wsop::sim {

Status config_error(const std::string& path, const std::string& message);

// kInvalid "path.key: unknown field" for a key of `node` that is not
// `known`, "path: expected a mapping" when `node` is not a mapping.
Status check_config_keys(const YAML::Node& node, const std::string& path,
                         const std::vector<std::string>& known);

template <class T>
Status read_config_field(const YAML::Node& node, const std::string& path, T* out) {
  try {
    *out = node.as<T>();
    return Status::ok();
  } catch (const YAML::Exception&) {
    return config_error(path, "wrong type");
  }
}

// "250ms", "2s", "10m" (common/duration.h).
Status read_config_duration(const YAML::Node& node, const std::string& path,
                            std::chrono::milliseconds* out);

// A list of tokens, none empty, replacing *out.
Status read_config_tokens(const YAML::Node& node, const std::string& path,
                          std::set<std::string>* out);

}  // namespace wsop::sim
