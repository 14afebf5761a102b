// The end-to-end CLI fixture: an in-process provider simulator (short Aether
// delays, a second Paradigm company and Aether project), a temporary manifest
// directory with one ProviderConfig per provider pointing at it, a per-test
// state file, and helpers to run the real wsctl binary and read the
// simulator's admin endpoints.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/run_wsctl.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::e2e {

using nlohmann::json;

inline constexpr const char* kProject2 = "00000000-0000-4000-8000-000000000002";
inline constexpr const char* kTokenEnv = "WSOP_E2E_TOKEN";

// The three provider types, also the names of their ProviderConfigs.
inline const std::vector<std::string>& all_providers() {
  static const std::vector<std::string> providers = {"paradigm", "cadenya", "aether"};
  return providers;
}

sim::SimConfig e2e_config();

class CliTest : public simtest::SimTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Restarts the simulator with `config` and rewrites the ProviderConfigs.
  void restart(sim::SimConfig config);

  // Writes src/<file> (the source directory `source()`).
  void write(const std::string& file, const std::string& yaml);
  void remove(const std::string& file);
  std::string source() const { return dir_ + "/src"; }
  std::string state_path() const { return dir_ + "/state.db"; }
  const std::string& dir() const { return dir_; }

  // wsctl ARGS --state STATE (no --state for validate and version).
  RunResult wsctl(std::vector<std::string> args);
  // wsctl COMMAND -f SOURCE ARGS --state STATE.
  RunResult on_source(const std::string& command, std::vector<std::string> args = {});
  RunResult apply(std::vector<std::string> args = {}) {
    return on_source("apply", std::move(args));
  }
  RunResult diff(std::vector<std::string> args = {}) { return on_source("diff", std::move(args)); }

  // `wsctl get -o json`'s items, and one of them by name (null when absent).
  json get_items();
  json get_item(const std::string& name, const std::string& ns = "default");

  // The simulator's admin endpoints of one provider.
  json stats(const std::string& provider);  // {"create": {"201": 1}, ...}
  int calls(const std::string& provider, const std::string& operation);
  // create + update + delete + start + stop calls, whatever their outcome.
  int writes(const std::string& provider);
  json remote_all(const std::string& provider);                     // every stored workspace
  json remote_live(const std::string& provider);                    // not deleted / archived
  json remote(const std::string& provider, const std::string& id);  // null when absent
  void set_faults(const std::string& provider, const json& faults);

  // Creates a workspace directly on the simulator; returns its id.
  std::string create_direct(const std::string& provider, const std::string& name);

 private:
  void write_provider_configs();
  std::string dir_;
};

// A Workspace manifest in namespace default; `spec` is YAML indented by two
// spaces below `spec:` (without providerConfigRef).
std::string workspace_yaml(const std::string& name, const std::string& provider_config,
                           const std::string& spec, const std::string& metadata_extra = "");

// A ProviderConfig named `name` of provider type `type` at `base_url`, with
// the fixture's token, short timeouts and a generous rate limit.
std::string provider_config_yaml(const std::string& name, const std::string& type,
                                 const std::string& base_url);

// http://127.0.0.1:PORT where nothing listens (a port just bound and freed).
std::string unreachable_url();

// A minimal valid spec for a provider's workspace.
std::string default_spec(const std::string& provider);

// An id as a string (Paradigm's ids are integers).
std::string id_string(const json& id);

}  // namespace wsop::e2e
