#include "sim/core/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/duration.h"
#include "sim/core/config_fields.h"

namespace wsop::sim {
namespace {

const std::vector<std::string> kSharedSectionKeys = {"address", "port", "tokens", "faults"};

// YAML scalars become JSON numbers, booleans or strings, so the fault
// settings share faults_from_json with PUT /_sim/faults.
nlohmann::json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = yaml_to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(yaml_to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  std::string text = node.Scalar();
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() || parsed.is_object() || parsed.is_array() ? nlohmann::json(text)
                                                                          : parsed;
}

Status read_faults(const YAML::Node& node, const std::string& path, Faults* out) {
  Outcome<Faults> faults = faults_from_json(yaml_to_json(node), *out);
  if (!faults) return config_error(path, faults.status().message());
  *out = *faults;
  return Status::ok();
}

// The keys every simulator's section has; nullopt when `key` is not one.
std::optional<Status> read_shared_key(const std::string& key, const YAML::Node& value,
                                      const std::string& path, SimulatorConfig* section) {
  if (key == "address") return read_config_field(value, path, &section->listen.address);
  if (key == "port") return read_config_field(value, path, &section->listen.port);
  if (key == "tokens") return read_config_tokens(value, path, &section->auth.tokens);
  if (key == "faults") return read_faults(value, path, &section->listen.faults);
  return std::nullopt;
}

Status read_section(const YAML::Node& node, const SimulatorDescriptor& descriptor,
                    SimulatorConfig* section) {
  std::vector<std::string> known = kSharedSectionKeys;
  known.insert(known.end(), descriptor.config_keys.begin(), descriptor.config_keys.end());
  if (Status s = check_config_keys(node, descriptor.name, known); !s) return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), path = descriptor.name + "." + key;
    if (std::optional<Status> s = read_shared_key(key, item.second, path, section)) {
      if (!*s) return *s;
      continue;
    }
    if (Status s = descriptor.read_config_key(key, item.second, path, *section); !s) return s;
  }
  return Status::ok();
}

Status read_tls(const YAML::Node& tls, SimConfig* c) {
  if (Status s = check_config_keys(tls, "tls", {"certFile", "keyFile"}); !s) return s;
  if (tls["certFile"]) c->tls_cert_file = tls["certFile"].as<std::string>();
  if (tls["keyFile"]) c->tls_key_file = tls["keyFile"].as<std::string>();
  return Status::ok();
}

// Top-level defaults first, so that a simulator's own section overrides them.
Status read_top(const YAML::Node& root, SimConfig* c) {
  std::vector<std::string> known = {"threads", "tls", "tokens", "faults"};
  for (const SimulatorConfig& section : c->simulators) known.push_back(section.name);
  if (Status s = check_config_keys(root, "", known); !s) return s;
  if (root["threads"]) {
    if (Status s = read_config_field(root["threads"], "threads", &c->threads); !s) return s;
    if (c->threads < 1 || c->threads > 64) return config_error("threads", "must be from 1 to 64");
  }
  if (const YAML::Node tls = root["tls"]) {
    if (Status s = read_tls(tls, c); !s) return s;
  }
  if (const YAML::Node tokens = root["tokens"]) {
    std::set<std::string> set;
    if (Status s = read_config_tokens(tokens, "tokens", &set); !s) return s;
    for (SimulatorConfig& section : c->simulators) section.auth.tokens = set;
  }
  if (const YAML::Node faults = root["faults"]) {
    Faults f = c->simulators.empty() ? Faults() : c->simulators.front().listen.faults;
    if (Status s = read_faults(faults, "faults", &f); !s) return s;
    for (SimulatorConfig& section : c->simulators) section.listen.faults = f;
  }
  for (SimulatorConfig& section : c->simulators) {
    const SimulatorDescriptor* descriptor = c->registry ? c->registry->find(section.name) : nullptr;
    if (!descriptor) return config_error(section.name, "no simulator of this name is registered");
    if (const YAML::Node node = root[section.name]) {
      if (Status s = read_section(node, *descriptor, &section); !s) return s;
    }
  }
  return Status::ok();
}

}  // namespace

Status config_error(const std::string& path, const std::string& message) {
  return Status::error(Code::kInvalid, path + ": " + message);
}

Status check_config_keys(const YAML::Node& node, const std::string& path,
                         const std::vector<std::string>& known) {
  if (!node.IsMap()) return config_error(path.empty() ? "config" : path, "expected a mapping");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    bool ok = false;
    for (const std::string& k : known) ok = ok || key == k;
    if (!ok) return config_error(path.empty() ? key : path + "." + key, "unknown field");
  }
  return Status::ok();
}

Status read_config_duration(const YAML::Node& node, const std::string& path,
                            std::chrono::milliseconds* out) {
  std::string text;
  if (Status s = read_config_field(node, path, &text); !s) return s;
  Outcome<Millis> d = parse_duration(text);
  if (!d) return config_error(path, d.status().message());
  *out = *d;
  return Status::ok();
}

Status read_config_tokens(const YAML::Node& node, const std::string& path,
                          std::set<std::string>* out) {
  std::vector<std::string> items;
  if (Status s = read_config_field(node, path, &items); !s) return s;
  out->clear();
  for (std::string& item : items) {
    if (item.empty()) return config_error(path, "a token must not be empty");
    out->insert(std::move(item));
  }
  return Status::ok();
}

SimulatorConfig* SimConfig::find(std::string_view name) {
  for (SimulatorConfig& section : simulators) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

const SimulatorConfig* SimConfig::find(std::string_view name) const {
  return const_cast<SimConfig*>(this)->find(name);
}

SimulatorConfig& SimConfig::at(std::string_view name) {
  SimulatorConfig* section = find(name);
  if (!section) throw std::out_of_range("no simulator named " + std::string(name));
  return *section;
}

const SimulatorConfig& SimConfig::at(std::string_view name) const {
  return const_cast<SimConfig*>(this)->at(name);
}

SimConfig default_config(const Registry& registry) {
  SimConfig config;
  config.registry = &registry;
  for (const SimulatorDescriptor& d : registry.all()) {
    SimulatorConfig section;
    section.name = d.name;
    section.options = d.default_options();
    config.simulators.push_back(std::move(section));
  }
  return config;
}

Status check_config(const SimConfig& config) {
  for (const SimulatorConfig& section : config.simulators) {
    const SimulatorDescriptor* d = config.registry ? config.registry->find(section.name) : nullptr;
    if (!d) return config_error(section.name, "no simulator of this name is registered");
    if (!d->check) continue;
    if (Status s = d->check(section); !s) return s;
  }
  return Status::ok();
}

Outcome<SimConfig> parse_config(const std::string& yaml_text, SimConfig base) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (root.IsNull()) return base;
    if (Status s = read_top(root, &base); !s) return s;
    return base;
  } catch (const YAML::Exception& e) {
    return Status::error(Code::kInvalid, std::string("config: ") + e.what());
  }
}

Outcome<SimConfig> load_config_file(const std::string& path, SimConfig base) {
  std::ifstream in(path);
  if (!in) return Status::error(Code::kInvalid, "cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  Outcome<SimConfig> config = parse_config(text.str(), std::move(base));
  if (!config) return config.status().with_context(path);
  return config;
}

}  // namespace wsop::sim
