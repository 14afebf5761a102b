#include "sim/paradigm/paradigm_descriptor.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>

#include "sim/core/config_fields.h"

namespace wsop::sim::paradigm {
namespace {

Status read_companies(const YAML::Node& node, const std::string& path,
                      std::vector<SimCompany>* out) {
  if (!node.IsSequence()) return config_error(path, "expected a list of {id, name}");
  out->clear();
  for (const auto& company : node) {
    if (Status s = check_config_keys(company, path + "[]", {"id", "name"}); !s) return s;
    SimCompany sc;
    if (Status s = read_config_field(company["id"], path + "[].id", &sc.id); !s) return s;
    sc.name =
        company["name"] ? company["name"].as<std::string>() : "Company " + std::to_string(sc.id);
    out->push_back(sc);
  }
  return Status::ok();
}

// {TOKEN: COMPANY_ID, ...}. Messages name no token (common/status.h).
Status read_token_companies(const YAML::Node& node, const std::string& path,
                            std::map<std::string, std::int64_t>* out) {
  if (!node.IsMap()) return config_error(path, "expected a mapping of token to company id");
  out->clear();
  for (const auto& item : node) {
    std::string token = item.first.as<std::string>();
    if (token.empty()) return config_error(path, "a token must not be empty");
    if (Status s = read_config_field(item.second, path, &(*out)[token]); !s) return s;
  }
  return Status::ok();
}

Status read_key(const std::string& key, const YAML::Node& value, const std::string& path,
                SimulatorConfig& section) {
  SimOptions& p = section.options_as<SimOptions>();
  if (key == "companies") return read_companies(value, path, &p.companies);
  if (key == "tokenCompanies") return read_token_companies(value, path, &p.token_companies);
  return read_config_tokens(value, path, &p.readonly_tokens);
}

Status invalid_flag(const std::string& message) {
  return Status::error(Code::kInvalid, message);
}

// --paradigm-company ID[=NAME], repeatable: the companies, replacing the
// configuration file's.
Status apply_companies(const FlagValue& value, SimulatorConfig& section) {
  SimOptions& p = section.options_as<SimOptions>();
  p.companies.clear();
  for (const std::string& text : value.texts) {
    std::size_t eq = text.find('=');
    SimCompany company;
    try {
      company.id = std::stoll(text.substr(0, eq));
    } catch (const std::exception&) {
      return invalid_flag("--paradigm-company: bad id in " + text);
    }
    company.name =
        eq == std::string::npos ? "Company " + std::to_string(company.id) : text.substr(eq + 1);
    p.companies.push_back(company);
  }
  return Status::ok();
}

// --paradigm-token TOKEN=COMPANY_ID (the last '=' splits: tokens may end in
// base64 padding), added to the configuration file's. Messages never repeat
// a token (common/status.h).
Status apply_token_companies(const FlagValue& value, SimulatorConfig& section) {
  SimOptions& p = section.options_as<SimOptions>();
  for (const std::string& text : value.texts) {
    std::size_t eq = text.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      return invalid_flag("--paradigm-token: expected TOKEN=COMPANY_ID");
    }
    std::string id = text.substr(eq + 1);
    std::int64_t company = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), company);
    if (id.empty() || ec != std::errc() || end != id.data() + id.size()) {
      return invalid_flag("--paradigm-token: bad company id \"" + id + "\"");
    }
    p.token_companies[text.substr(0, eq)] = company;
  }
  return Status::ok();
}

Status apply_readonly_tokens(const FlagValue& value, SimulatorConfig& section) {
  SimOptions& p = section.options_as<SimOptions>();
  for (const std::string& token : value.texts) {
    if (token.empty()) return invalid_flag("--paradigm-readonly-token: a token must not be empty");
    p.readonly_tokens.insert(token);
  }
  return Status::ok();
}

// Every company of token_companies is a configured company.
Status check(const SimulatorConfig& section) {
  const SimOptions& p = section.options_as<SimOptions>();
  for (const auto& token_company : p.token_companies) {
    const auto company = token_company.second;
    bool known = std::any_of(p.companies.begin(), p.companies.end(),
                             [&](const SimCompany& c) { return c.id == company; });
    if (!known) {
      return config_error("paradigm.tokenCompanies",
                          "company " + std::to_string(company) + " is not a configured company");
    }
  }
  return Status::ok();
}

}  // namespace

SimulatorDescriptor descriptor() {
  using Kind = SimulatorFlag::Kind;
  SimulatorDescriptor d;
  d.name = std::string(kName);
  d.title = "Paradigm";
  d.default_options = [] { return std::any(SimOptions()); };
  d.config_keys = {"companies", "tokenCompanies", "readonlyTokens"};
  d.read_config_key = read_key;
  d.flags = {
      {"paradigm-company", Kind::kTexts, "ID[=NAME] of a Paradigm company, repeatable (default: 1)",
       apply_companies},
      {"paradigm-token", Kind::kTexts,
       "TOKEN=COMPANY_ID: an accepted Paradigm token and the company its list shows, "
       "repeatable (other tokens: company 1)",
       apply_token_companies},
      {"paradigm-readonly-token", Kind::kTexts,
       "an accepted Paradigm token whose creates answer 403, repeatable", apply_readonly_tokens},
  };
  d.check = check;
  d.make = [](const SimulatorConfig& section) {
    return make_simulator(section.auth, section.options_as<SimOptions>());
  };
  return d;
}

SimOptions& options_of(SimConfig& config) {
  return config.at(kName).options_as<SimOptions>();
}

const SimOptions& options_of(const SimConfig& config) {
  return config.at(kName).options_as<SimOptions>();
}

}  // namespace wsop::sim::paradigm
