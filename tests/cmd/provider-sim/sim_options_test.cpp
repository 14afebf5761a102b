// provider-sim's options for company-scoped and read-only Paradigm tokens
// and the Aether account's default hardware, in the YAML file
// (sim/core/config.h) and on the command line (cmd/provider-sim).
#include <gtest/gtest.h>

#include "cmd/provider-sim/options.h"
#include "sim/aether/aether_descriptor.h"
#include "sim/core/config.h"
#include "sim/paradigm/paradigm_descriptor.h"
#include "sim/registry.h"

namespace wsop::sim {
namespace {

using Args = std::vector<std::string>;

TEST(SimOptionsYamlTest, ReadsTokenCompaniesReadonlyTokensAndDefaultHardware) {
  Outcome<SimConfig> c = parse_config(R"(
paradigm:
  companies: [{id: 1, name: Acme}, {id: 2, name: Beta}]
  tokenCompanies: {t2: 2, "tok==": 1}
  readonlyTokens: [ro]
aether:
  defaultHardware: {cpuKind: performance, cpus: 4, memoryMb: 4096, volumeSizeGb: 20}
)",
                                      builtin_config());
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(sim::paradigm::options_of(*c).token_companies,
            (std::map<std::string, std::int64_t>{{"t2", 2}, {"tok==", 1}}));
  EXPECT_EQ(sim::paradigm::options_of(*c).readonly_tokens, (std::set<std::string>{"ro"}));
  const aether::SimHardware& hw = sim::aether::options_of(*c).default_hardware;
  EXPECT_EQ(hw.cpu_kind, "performance");
  EXPECT_EQ(hw.cpus, 4);
  EXPECT_EQ(hw.memory_mb, 4096);
  EXPECT_EQ(hw.volume_size_gb, 20);
  EXPECT_FALSE(hw.gpu_kind);
  EXPECT_TRUE(check_config(*c).is_ok());
}

TEST(SimOptionsYamlTest, DefaultHardwareSubsetKeepsTheOtherDefaults) {
  Outcome<SimConfig> c =
      parse_config("aether: {defaultHardware: {volumeSizeGb: 500}}", builtin_config());
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(sim::aether::options_of(*c).default_hardware.volume_size_gb, 500);
  EXPECT_EQ(sim::aether::options_of(*c).default_hardware.cpu_kind, "shared");
  EXPECT_EQ(sim::aether::options_of(*c).default_hardware.cpus, 2);
  EXPECT_EQ(sim::aether::options_of(*c).default_hardware.memory_mb, 2048);
}

TEST(SimOptionsYamlTest, RejectsUnknownKeysAndBadValues) {
  for (const char* yaml :
       {"aether: {defaultHardware: {gpuKind: a100}}", "aether: {defaultHardware: {cpus: many}}",
        "aether: {defaultHardware: {cpus: 9}}", "aether: {defaultHardware: {cpuKind: gpu}}",
        "aether: {defaultHardware: {volumeSizeGb: 0}}", "aether: {defaultHardware: [1]}",
        "paradigm: {tokenCompanies: [t]}", "paradigm: {tokenCompanies: {t: two}}",
        "paradigm: {readonlyTokens: ['']}", "paradigm: {readOnlyTokens: [t]}"}) {
    EXPECT_FALSE(parse_config(yaml, builtin_config())) << yaml;
  }
}

TEST(SimOptionsYamlTest, TokenCompanyMustBeAConfiguredCompany) {
  Outcome<SimConfig> c = parse_config("paradigm: {tokenCompanies: {t: 2}}", builtin_config());
  ASSERT_TRUE(c) << c.status().to_string();
  Status s = check_config(*c);
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("company 2"), std::string::npos) << s.to_string();
}

TEST(SimOptionsFlagsTest, ParadigmTokenFlagsAreRepeatable) {
  Outcome<provider_sim::Invocation> inv = provider_sim::parse_command_line(
      Args{"--paradigm-company", "1", "--paradigm-company", "2=Beta", "--paradigm-token", "a=2",
           "--paradigm-token", "b64==1", "--paradigm-readonly-token", "ro",
           "--paradigm-readonly-token", "ro2"});
  ASSERT_TRUE(inv) << inv.status().to_string();
  const paradigm::SimOptions& p = sim::paradigm::options_of(inv->config);
  EXPECT_EQ(p.token_companies, (std::map<std::string, std::int64_t>{{"a", 2}, {"b64=", 1}}));
  EXPECT_EQ(p.readonly_tokens, (std::set<std::string>{"ro", "ro2"}));
}

TEST(SimOptionsFlagsTest, AetherDefaultHardwareTakesAnySubset) {
  Outcome<provider_sim::Invocation> all = provider_sim::parse_command_line(Args{
      "--aether-default-hardware", "cpu_kind=performance,cpus=4,memory_mb=4096,volume_size_gb=20"});
  ASSERT_TRUE(all) << all.status().to_string();
  const aether::SimHardware& hw = sim::aether::options_of(all->config).default_hardware;
  EXPECT_EQ(hw.cpu_kind, "performance");
  EXPECT_EQ(hw.cpus, 4);
  EXPECT_EQ(hw.memory_mb, 4096);
  EXPECT_EQ(hw.volume_size_gb, 20);
  Outcome<provider_sim::Invocation> some =
      provider_sim::parse_command_line(Args{"--aether-default-hardware", "memory_mb=8192"});
  ASSERT_TRUE(some) << some.status().to_string();
  EXPECT_EQ(sim::aether::options_of(some->config).default_hardware.memory_mb, 8192);
  EXPECT_EQ(sim::aether::options_of(some->config).default_hardware.cpus, 2);
  EXPECT_EQ(sim::aether::options_of(some->config).default_hardware.cpu_kind, "shared");
}

TEST(SimOptionsFlagsTest, BadValuesAreClearErrors) {
  struct Case {
    Args args;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--aether-default-hardware", "gpus=1"}, "unknown key \"gpus\""},
           {{"--aether-default-hardware", "cpus=four"}, "cpus must be an integer"},
           {{"--aether-default-hardware", "cpus=4x"}, "cpus must be an integer"},
           {{"--aether-default-hardware", "cpus"}, "expected KEY=VALUE"},
           {{"--aether-default-hardware", "cpus=9"}, "cpus must be between 1 and 8"},
           {{"--aether-default-hardware", "cpu_kind=gpu"}, "cpu_kind"},
           {{"--paradigm-token", "secret"}, "expected TOKEN=COMPANY_ID"},
           {{"--paradigm-token", "secret=x"}, "bad company id"},
           {{"--paradigm-token", "secret=2"}, "company 2"},
       }) {
    Outcome<provider_sim::Invocation> inv = provider_sim::parse_command_line(c.args);
    ASSERT_FALSE(inv) << c.args[1];
    EXPECT_NE(inv.status().message().find(c.says), std::string::npos)
        << c.args[1] << ": " << inv.status().message();
    EXPECT_EQ(inv.status().message().find("secret"), std::string::npos)
        << "messages never name a token: " << inv.status().message();
  }
}

}  // namespace
}  // namespace wsop::sim
