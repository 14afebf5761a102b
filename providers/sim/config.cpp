#include "providers/sim/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/duration.h"
#include "providers/sim/ids.h"

namespace wsop::sim {
namespace {

Status invalid(const std::string& path, const std::string& message) {
  return Status::error(Code::kInvalid, path + ": " + message);
}

Status check_keys(const YAML::Node& node, const std::string& path,
                  std::initializer_list<const char*> known) {
  if (!node.IsMap()) return invalid(path.empty() ? "config" : path, "expected a mapping");
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return invalid(path.empty() ? key : path + "." + key, "unknown field");
  }
  return Status::ok();
}

template <class T>
Status read(const YAML::Node& node, const std::string& path, T* out) {
  try {
    *out = node.as<T>();
    return Status::ok();
  } catch (const YAML::Exception&) {
    return invalid(path, "wrong type");
  }
}

Status read_duration(const YAML::Node& node, const std::string& path,
                     std::chrono::milliseconds* out) {
  std::string text;
  if (Status s = read(node, path, &text); !s) return s;
  Outcome<Millis> d = parse_duration(text);
  if (!d) return invalid(path, d.status().message());
  *out = *d;
  return Status::ok();
}

Status read_set(const YAML::Node& node, const std::string& path, std::set<std::string>* out) {
  std::vector<std::string> items;
  if (Status s = read(node, path, &items); !s) return s;
  out->clear();
  for (std::string& item : items) {
    if (item.empty()) return invalid(path, "a token must not be empty");
    out->insert(std::move(item));
  }
  return Status::ok();
}

// YAML scalars become JSON numbers, booleans or strings, so the fault
// settings share faults_from_json with PUT /_sim/faults.
nlohmann::json to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  std::string text = node.Scalar();
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() || parsed.is_object() || parsed.is_array() ? nlohmann::json(text)
                                                                          : parsed;
}

Status read_faults(const YAML::Node& node, const std::string& path, Faults* out) {
  Outcome<Faults> faults = faults_from_json(to_json(node), *out);
  if (!faults) return invalid(path, faults.status().message());
  *out = *faults;
  return Status::ok();
}

// The keys every provider section has; nullopt when `key` is not one.
std::optional<Status> read_common(const std::string& key, const YAML::Node& value,
                                  const std::string& path, Listen* listen, AuthConfig* auth) {
  if (key == "address") return read(value, path, &listen->address);
  if (key == "port") return read(value, path, &listen->port);
  if (key == "tokens") return read_set(value, path, &auth->tokens);
  if (key == "faults") return read_faults(value, path, &listen->faults);
  return std::nullopt;
}

Status read_companies(const YAML::Node& node, const std::string& path,
                      std::vector<paradigm::SimCompany>* out) {
  if (!node.IsSequence()) return invalid(path, "expected a list of {id, name}");
  out->clear();
  for (const auto& company : node) {
    if (Status s = check_keys(company, path + "[]", {"id", "name"}); !s) return s;
    paradigm::SimCompany sc;
    if (Status s = read(company["id"], path + "[].id", &sc.id); !s) return s;
    sc.name =
        company["name"] ? company["name"].as<std::string>() : "Company " + std::to_string(sc.id);
    out->push_back(sc);
  }
  return Status::ok();
}

// {TOKEN: COMPANY_ID, ...}. Messages name no token (common/status.h).
Status read_token_companies(const YAML::Node& node, const std::string& path,
                            std::map<std::string, std::int64_t>* out) {
  if (!node.IsMap()) return invalid(path, "expected a mapping of token to company id");
  out->clear();
  for (const auto& item : node) {
    std::string token = item.first.as<std::string>();
    if (token.empty()) return invalid(path, "a token must not be empty");
    if (Status s = read(item.second, path, &(*out)[token]); !s) return s;
  }
  return Status::ok();
}

Status read_paradigm(const YAML::Node& node, SimConfig* c) {
  if (Status s = check_keys(
          node, "paradigm",
          {"address", "port", "tokens", "faults", "companies", "tokenCompanies", "readonlyTokens"});
      !s)
    return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), path = "paradigm." + key;
    if (std::optional<Status> s =
            read_common(key, item.second, path, &c->paradigm_listen, &c->paradigm.auth)) {
      if (!*s) return *s;
      continue;
    }
    Status s = key == "companies" ? read_companies(item.second, path, &c->paradigm.companies)
               : key == "tokenCompanies"
                   ? read_token_companies(item.second, path, &c->paradigm.token_companies)
                   : read_set(item.second, path, &c->paradigm.readonly_tokens);
    if (!s) return s;
  }
  return Status::ok();
}

Status read_cadenya(const YAML::Node& node, SimConfig* c) {
  if (Status s =
          check_keys(node, "cadenya", {"address", "port", "tokens", "faults", "adminTokens"});
      !s)
    return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), path = "cadenya." + key;
    if (std::optional<Status> s =
            read_common(key, item.second, path, &c->cadenya_listen, &c->cadenya.auth)) {
      if (!*s) return *s;
      continue;
    }
    if (Status s = read_set(item.second, path, &c->cadenya.auth.admin_tokens); !s) return s;
  }
  return Status::ok();
}

// {cpuKind, cpus, memoryMb, volumeSizeGb}, any subset, over *hw; the result
// must be hardware the simulated account accepts.
Status read_default_hardware(const YAML::Node& node, const std::string& path,
                             aether::SimHardware* hw) {
  if (Status s = check_keys(node, path, {"cpuKind", "cpus", "memoryMb", "volumeSizeGb"}); !s)
    return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), p = path + "." + key;
    Status s = key == "cpuKind"    ? read(item.second, p, &hw->cpu_kind)
               : key == "cpus"     ? read(item.second, p, &hw->cpus)
               : key == "memoryMb" ? read(item.second, p, &hw->memory_mb)
                                   : read(item.second, p, &hw->volume_size_gb);
    if (!s) return s;
  }
  if (std::optional<std::string> problem = aether::hardware_problem(*hw)) {
    return invalid(path, *problem);
  }
  return Status::ok();
}

Status read_aether_key(const std::string& key, const YAML::Node& value, const std::string& path,
                       aether::SimOptions* a) {
  if (key == "creatingDelay") return read_duration(value, path, &a->creating_delay);
  if (key == "startingDelay") return read_duration(value, path, &a->starting_delay);
  if (key == "stoppingDelay") return read_duration(value, path, &a->stopping_delay);
  if (key == "idleStop") return read_duration(value, path, &a->idle_stop);
  if (key == "defaultHardware") return read_default_hardware(value, path, &a->default_hardware);
  if (key == "errorRate") {
    if (Status s = read(value, path, &a->error_rate); !s) return s;
    if (a->error_rate < 0 || a->error_rate > 1) return invalid(path, "must be from 0 to 1");
    return Status::ok();
  }
  if (Status s = read(value, path, &a->projects); !s) return s;
  for (const std::string& p : a->projects) {
    if (!is_uuid(p)) return invalid(path, "\"" + p + "\" is not a UUID");
  }
  return Status::ok();
}

Status read_aether(const YAML::Node& node, SimConfig* c) {
  if (Status s = check_keys(
          node, "aether",
          {"address", "port", "tokens", "faults", "projects", "creatingDelay", "startingDelay",
           "stoppingDelay", "errorRate", "idleStop", "defaultHardware"});
      !s)
    return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), path = "aether." + key;
    if (std::optional<Status> s =
            read_common(key, item.second, path, &c->aether_listen, &c->aether.auth)) {
      if (!*s) return *s;
      continue;
    }
    if (Status s = read_aether_key(key, item.second, path, &c->aether); !s) return s;
  }
  return Status::ok();
}

// Top-level defaults first, so that a provider's own section overrides them.
Status read_top(const YAML::Node& root, SimConfig* c) {
  if (Status s = check_keys(
          root, "", {"threads", "tls", "tokens", "faults", "paradigm", "cadenya", "aether"});
      !s)
    return s;
  if (root["threads"]) {
    if (Status s = read(root["threads"], "threads", &c->threads); !s) return s;
    if (c->threads < 1 || c->threads > 64) return invalid("threads", "must be from 1 to 64");
  }
  if (const YAML::Node tls = root["tls"]) {
    if (Status s = check_keys(tls, "tls", {"certFile", "keyFile"}); !s) return s;
    if (tls["certFile"]) c->tls_cert_file = tls["certFile"].as<std::string>();
    if (tls["keyFile"]) c->tls_key_file = tls["keyFile"].as<std::string>();
  }
  if (const YAML::Node tokens = root["tokens"]) {
    std::set<std::string> set;
    if (Status s = read_set(tokens, "tokens", &set); !s) return s;
    c->paradigm.auth.tokens = c->cadenya.auth.tokens = c->aether.auth.tokens = set;
  }
  if (const YAML::Node faults = root["faults"]) {
    Faults f = c->paradigm_listen.faults;
    if (Status s = read_faults(faults, "faults", &f); !s) return s;
    c->paradigm_listen.faults = c->cadenya_listen.faults = c->aether_listen.faults = f;
  }
  if (root["paradigm"]) {
    if (Status s = read_paradigm(root["paradigm"], c); !s) return s;
  }
  if (root["cadenya"]) {
    if (Status s = read_cadenya(root["cadenya"], c); !s) return s;
  }
  if (root["aether"]) {
    if (Status s = read_aether(root["aether"], c); !s) return s;
  }
  return Status::ok();
}

}  // namespace

Status check_config(const SimConfig& config) {
  const paradigm::SimOptions& p = config.paradigm;
  for (const auto& [token, company] : p.token_companies) {
    bool known = std::any_of(p.companies.begin(), p.companies.end(),
                             [&](const paradigm::SimCompany& c) { return c.id == company; });
    if (!known) {
      return invalid("paradigm.tokenCompanies",
                     "company " + std::to_string(company) + " is not a configured company");
    }
  }
  if (std::optional<std::string> problem =
          aether::hardware_problem(config.aether.default_hardware)) {
    return invalid("aether.defaultHardware", *problem);
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
