#include "sim/cadenya/cadenya_descriptor.h"

#include "sim/core/config_fields.h"

namespace wsop::sim::cadenya {
namespace {

// adminTokens, the only key of the section besides the shared ones.
Status read_key(const std::string&, const YAML::Node& value, const std::string& path,
                SimulatorConfig& section) {
  return read_config_tokens(value, path, &section.auth.admin_tokens);
}

Status apply_admin_tokens(const FlagValue& value, SimulatorConfig& section) {
  section.auth.admin_tokens.insert(value.texts.begin(), value.texts.end());
  return Status::ok();
}

}  // namespace

SimulatorDescriptor descriptor() {
  SimulatorDescriptor d;
  d.name = std::string(kName);
  d.title = "Cadenya";
  d.default_options = [] { return std::any(SimOptions()); };
  d.config_keys = {"adminTokens"};
  d.read_config_key = read_key;
  d.flags = {{"cadenya-admin-token", SimulatorFlag::Kind::kTexts,
              "Cadenya admin token, repeatable (default: every accepted token)",
              apply_admin_tokens}};
  d.make = [](const SimulatorConfig& section) {
    return make_simulator(section.auth, section.options_as<SimOptions>());
  };
  return d;
}

}  // namespace wsop::sim::cadenya
