// The simulated Aether API against ../shared/providers/aether.md.
#include <gtest/gtest.h>

#include <regex>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const std::string kCreatePath = std::string("/projects/") + kProject + "/workspaces";

class AetherSimTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    api_ = std::make_unique<Client>(client("aether"));
  }
  void restart(sim::SimConfig config) {
    start(std::move(config));
    api_ = std::make_unique<Client>(client("aether"));
  }
  std::string create_id(const json& body = json::object()) {
    Reply r = api_->post(kCreatePath, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<std::string>();
  }
  json get(const std::string& id) { return api_->get("/workspaces/" + id).json(); }
  bool reaches(const std::string& id, const std::string& status,
               milliseconds limit = milliseconds(3000)) {
    return eventually([&] { return get(id)["status"] == status; }, limit);
  }
  static void expect_error(const Reply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_TRUE(r.json()["error"].is_string()) << r.body;
  }

  std::unique_ptr<Client> api_;
};

TEST_F(AetherSimTest, CreateAnswers201CreatingWithDefaults) {
  Reply r = api_->request("POST", kCreatePath);  // every field optional, even the body
  ASSERT_EQ(r.status, 201) << r.body;
  json w = r.json();
  EXPECT_TRUE(std::regex_match(
      w["id"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(w["project_id"], kProject);
  EXPECT_EQ(w["status"], "creating");
  EXPECT_EQ(w["hardware"], json({{"cpu_kind", "shared"},
                                 {"cpus", 2},
                                 {"memory_mb", 2048},
                                 {"volume_size_gb", 10},
                                 {"gpu_kind", nullptr}}));
  EXPECT_EQ(w["keep_active"], false);
  EXPECT_TRUE(w["machine_id"].is_null());
  EXPECT_TRUE(w["private_ip"].is_null());
  EXPECT_TRUE(w["error_message"].is_null());
  EXPECT_TRUE(w["created_at"].is_string());
  EXPECT_TRUE(w["updated_at"].is_string());
  EXPECT_TRUE(w.contains("git_ref"));
  EXPECT_TRUE(w["preview_token"].is_string());
}

TEST_F(AetherSimTest, ProvisioningGoesCreatingStartingRunningWithMachine) {
  std::string id =
      create_id({{"hardware", {{"cpu_kind", "performance"}, {"cpus", 4}, {"memory_mb", 8192}}},
                 {"keep_active", true}});
  EXPECT_EQ(get(id)["status"], "creating");
  ASSERT_TRUE(reaches(id, "starting", milliseconds(1000)));
  ASSERT_TRUE(reaches(id, "running"));
  json w = get(id);
  EXPECT_TRUE(w["machine_id"].is_string());
  EXPECT_TRUE(w["private_ip"].is_string());
  EXPECT_EQ(w["hardware"]["cpu_kind"], "performance");
  EXPECT_EQ(w["hardware"]["cpus"], 4);
  EXPECT_EQ(w["keep_active"], true);
}

TEST_F(AetherSimTest, HardwareOutOfRangeIs400) {
  for (const json& hw :
       {json{{"cpus", 0}}, json{{"cpus", 9}}, json{{"memory_mb", 255}}, json{{"memory_mb", 16385}},
        json{{"cpu_kind", "gpu"}}, json{{"cpus", "2"}}}) {
    expect_error(api_->post(kCreatePath, {{"hardware", hw}}), 400);
  }
  expect_error(api_->post(kCreatePath, {{"keep_active", "yes"}}), 400);
  EXPECT_EQ(api_->post(kCreatePath, {{"hardware", {{"cpus", 8}, {"memory_mb", 16384}}}}).status,
            201);
  EXPECT_EQ(api_->post(kCreatePath, {{"hardware", {{"cpus", 1}, {"memory_mb", 256}}}}).status, 201);
}

TEST_F(AetherSimTest, UnknownProjectIs404) {
  expect_error(
      api_->post("/projects/11111111-1111-4111-8111-111111111111/workspaces", json::object()), 404);
  expect_error(api_->post("/projects/not-a-uuid/workspaces", json::object()), 404);
}

TEST_F(AetherSimTest, UnknownWorkspaceIs404) {
  expect_error(api_->get("/workspaces/11111111-1111-4111-8111-111111111111"), 404);
  expect_error(api_->del("/workspaces/nope"), 404);
  expect_error(api_->patch("/workspaces/nope", {{"cpus", 2}}), 404);
  expect_error(api_->request("POST", "/workspaces/nope/start"), 404);
}

TEST_F(AetherSimTest, WithoutTokenIs401) {
  api_->set_token("");
  expect_error(api_->post(kCreatePath, json::object()), 401);
  expect_error(api_->get("/workspaces"), 401);
}

TEST_F(AetherSimTest, ListReturnsWorkspacesAcrossProjects) {
  sim::SimConfig config = test_config();
  sim::aether::options_of(config).projects = {kProject, "22222222-2222-4222-8222-222222222222"};
  restart(config);
  create_id();
  ASSERT_EQ(api_->post("/projects/22222222-2222-4222-8222-222222222222/workspaces", json::object())
                .status,
            201);
  json list = api_->get("/workspaces").json();
  ASSERT_TRUE(list["workspaces"].is_array());
  EXPECT_EQ(list["workspaces"].size(), 2u);
}

TEST_F(AetherSimTest, PatchIsFlat) {
  std::string id = create_id();
  Reply r =
      api_->patch("/workspaces/" + id,
                  {{"cpus", 4}, {"memory_mb", 4096}, {"gpu_kind", "a100"}, {"keep_active", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  json w = r.json();
  EXPECT_EQ(w["hardware"]["cpus"], 4);
  EXPECT_EQ(w["hardware"]["memory_mb"], 4096);
  EXPECT_EQ(w["hardware"]["gpu_kind"], "a100");
  EXPECT_EQ(w["keep_active"], true);
  // The create's nested form is not the update's: it changes nothing.
  EXPECT_EQ(
      api_->patch("/workspaces/" + id, {{"hardware", {{"cpus", 8}}}}).json()["hardware"]["cpus"],
      4);
  expect_error(api_->patch("/workspaces/" + id, {{"cpus", 16}}), 400);
  EXPECT_EQ(get(id)["hardware"]["cpus"], 4);
}

TEST_F(AetherSimTest, DeleteIs204ThenGone) {
  std::string id = create_id();
  EXPECT_EQ(api_->del("/workspaces/" + id).status, 204);
  expect_error(api_->get("/workspaces/" + id), 404);
  expect_error(api_->del("/workspaces/" + id), 404);
  EXPECT_EQ(api_->get("/workspaces").json()["workspaces"].size(), 0u);
}

TEST_F(AetherSimTest, StartAndStopFollowTheLifecycle) {
  std::string id = create_id({{"keep_active", true}});
  expect_error(api_->request("POST", "/workspaces/" + id + "/stop"), 400);  // still creating
  ASSERT_TRUE(reaches(id, "running"));
  expect_error(api_->request("POST", "/workspaces/" + id + "/start"), 400);
  Reply stop = api_->request("POST", "/workspaces/" + id + "/stop");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(stop.json(), json({{"status", "stopping"}}));
  ASSERT_TRUE(reaches(id, "stopped"));
  expect_error(api_->request("POST", "/workspaces/" + id + "/stop"), 400);
  Reply start = api_->request("POST", "/workspaces/" + id + "/start");
  ASSERT_EQ(start.status, 200);
  EXPECT_EQ(start.json(), json({{"status", "starting"}}));
  ASSERT_TRUE(reaches(id, "running"));
}

TEST_F(AetherSimTest, ConfiguredShareOfCreatesEndsInError) {
  sim::SimConfig config = test_config();
  sim::aether::options_of(config).error_rate = 1;
  restart(config);
  std::string id = create_id();
  ASSERT_TRUE(reaches(id, "error"));
  json w = get(id);
  EXPECT_TRUE(w["error_message"].is_string());
  EXPECT_FALSE(w["error_message"].get<std::string>().empty());
  EXPECT_TRUE(w["machine_id"].is_null());
  expect_error(api_->request("POST", "/workspaces/" + id + "/start"), 400);
}

TEST_F(AetherSimTest, IdleWorkspacesStopByThemselvesUnlessKeptActive) {
  sim::SimConfig config = test_config();
  sim::aether::options_of(config).idle_stop = milliseconds(300);
  restart(config);
  std::string idle = create_id({{"keep_active", false}});
  std::string kept = create_id({{"keep_active", true}});
  ASSERT_TRUE(reaches(kept, "running"));
  ASSERT_TRUE(reaches(idle, "stopped"));
  EXPECT_TRUE(get(idle)["machine_id"].is_string());  // the machine stays, stopped
  EXPECT_EQ(get(kept)["status"], "running");
}

TEST_F(AetherSimTest, IdleAutoStopIsOffByDefault) {
  std::string id = create_id();
  ASSERT_TRUE(reaches(id, "running"));
  std::this_thread::sleep_for(milliseconds(400));
  EXPECT_EQ(get(id)["status"], "running");
}

}  // namespace
}  // namespace wsop::simtest
