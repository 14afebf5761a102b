// The simulated Aether account's hardware rules against seed 003
// (../shared/seeds/003_*.txt) and ../shared/providers/aether.md: account
// defaults for omitted fields, the sim's own limits, and 400 for a field of
// the wrong JSON type.
#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

const std::string kHardwareCreatePath = std::string("/projects/") + kProject + "/workspaces";

class AetherHardwareTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    api_ = std::make_unique<Client>(client("aether"));
  }
  void restart_with(const sim::aether::SimHardware& defaults) {
    sim::SimConfig config = test_config();
    sim::aether::options_of(config).default_hardware = defaults;
    start(std::move(config));
    api_ = std::make_unique<Client>(client("aether"));
  }
  Reply create(const json& body) { return api_->post(kHardwareCreatePath, body); }
  json hardware_of(const json& body) {
    Reply r = create(body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["hardware"];
  }
  // A 400 with {"error": "..."} that stored nothing.
  void expect_rejected(const Reply& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(r.json()["error"].is_string()) << r.body;
  }
  std::size_t stored() { return sim_->service("aether")->api().state()["workspaces"].size(); }

  std::unique_ptr<Client> api_;
};

TEST_F(AetherHardwareTest, DefaultHardwareIsTheSeedsDocumentedDefaults) {
  sim::aether::SimHardware hw = sim::aether::SimOptions().default_hardware;
  EXPECT_EQ(hw.cpu_kind, "shared");
  EXPECT_EQ(hw.cpus, 2);
  EXPECT_EQ(hw.memory_mb, 2048);
  EXPECT_EQ(hw.volume_size_gb, 10);
  EXPECT_FALSE(hw.gpu_kind.has_value());
}

TEST_F(AetherHardwareTest, OmittedHardwareOrFieldTakesTheAccountDefault) {
  restart_with({"performance", 4, 4096, 20, std::nullopt});
  const json defaults = {{"cpu_kind", "performance"},
                         {"cpus", 4},
                         {"memory_mb", 4096},
                         {"volume_size_gb", 20},
                         {"gpu_kind", nullptr}};
  Reply bodyless = api_->request("POST", kHardwareCreatePath);
  ASSERT_EQ(bodyless.status, 201) << bodyless.body;
  EXPECT_EQ(bodyless.json()["hardware"], defaults);
  EXPECT_EQ(hardware_of({{"keep_active", true}}), defaults);
  EXPECT_EQ(hardware_of({{"hardware", json::object()}}), defaults);
  json partial = defaults;
  partial["cpus"] = 2;
  partial["gpu_kind"] = "a100";
  EXPECT_EQ(hardware_of({{"hardware", {{"cpus", 2}, {"gpu_kind", "a100"}}}}), partial);
  json kind_only = defaults;
  kind_only["cpu_kind"] = "shared";
  EXPECT_EQ(hardware_of({{"hardware", {{"cpu_kind", "shared"}}}}), kind_only);
}

TEST_F(AetherHardwareTest, LimitsAreTheSimulatedAccountsOwn) {
  for (const json& hw :
       {json{{"cpus", 0}}, json{{"cpus", 9}}, json{{"memory_mb", 255}}, json{{"memory_mb", 16385}},
        json{{"volume_size_gb", 0}}, json{{"volume_size_gb", -5}}, json{{"cpu_kind", "gpu"}},
        json{{"cpus", 4294967297LL}}}) {
    expect_rejected(create({{"hardware", hw}}));
  }
  EXPECT_EQ(stored(), 0u);
  // No vendor text caps the volume.
  EXPECT_EQ(hardware_of({{"hardware", {{"volume_size_gb", 1}}}})["volume_size_gb"], 1);
  EXPECT_EQ(hardware_of({{"hardware", {{"volume_size_gb", 50000}}}})["volume_size_gb"], 50000);
  EXPECT_EQ(hardware_of({{"hardware", {{"volume_size_gb", 1000000000000LL}}}})["volume_size_gb"],
            1000000000000LL);
  EXPECT_EQ(hardware_of({{"hardware", {{"cpu_kind", "performance"}}}})["cpu_kind"], "performance");
  std::string id = create(json::object()).json()["id"];
  Reply big = api_->patch("/workspaces/" + id, {{"volume_size_gb", 4096}});
  ASSERT_EQ(big.status, 200) << big.body;
  EXPECT_EQ(big.json()["hardware"]["volume_size_gb"], 4096);
  expect_rejected(api_->patch("/workspaces/" + id, {{"memory_mb", 16385}}));
}

TEST_F(AetherHardwareTest, WrongJsonTypesAre400AndStoreNothing) {
  for (const json& hw :
       {json{{"cpus", "2"}}, json{{"cpus", 2.5}}, json{{"cpus", true}}, json{{"cpus", nullptr}},
        json{{"memory_mb", "2048"}}, json{{"volume_size_gb", nullptr}}, json{{"cpu_kind", 1}},
        json{{"cpu_kind", nullptr}}, json{{"gpu_kind", 5}}, json{{"gpu_kind", false}}}) {
    expect_rejected(create({{"hardware", hw}}));
  }
  for (const json& body :
       {json{{"hardware", "big"}}, json{{"hardware", nullptr}}, json{{"hardware", json::array()}},
        json{{"keep_active", "yes"}}, json{{"keep_active", nullptr}}, json{{"keep_active", 1}}}) {
    expect_rejected(create(body));
  }
  expect_rejected(api_->post(kHardwareCreatePath, json::array()));
  EXPECT_EQ(stored(), 0u);
  // gpu_kind's documented default is null: null is a value, not a wrong type.
  EXPECT_TRUE(hardware_of({{"hardware", {{"gpu_kind", nullptr}}}})["gpu_kind"].is_null());
}

TEST_F(AetherHardwareTest, PatchWithWrongTypesChangesNothing) {
  std::string id = create({{"hardware", {{"cpus", 4}}}, {"keep_active", true}}).json()["id"];
  for (const json& body : {json{{"cpus", "8"}}, json{{"keep_active", nullptr}},
                           json{{"cpus", 8}, {"keep_active", "no"}}, json{{"gpu_kind", 1}},
                           json{{"memory_mb", nullptr}}}) {
    expect_rejected(api_->patch("/workspaces/" + id, body));
  }
  json w = api_->get("/workspaces/" + id).json();
  EXPECT_EQ(w["hardware"]["cpus"], 4);
  EXPECT_EQ(w["keep_active"], true);
}

TEST_F(AetherHardwareTest, DefaultHardwareOutsideTheLimitsIsAConfigurationError) {
  sim::SimConfig config = test_config();
  sim::aether::options_of(config).default_hardware.cpus = 16;
  sim::Simulator simulator(config);
  Status s = simulator.start();
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("cpus"), std::string::npos) << s.to_string();
}

}  // namespace
}  // namespace wsop::simtest
