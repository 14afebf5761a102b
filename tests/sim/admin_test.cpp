// The admin API under /_sim/: stats, state and reset.
#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

using SimAdminTest = SimTest;

TEST_F(SimAdminTest, StatsCountCallsByOperationAndStatus) {
  Client api = client("paradigm");
  api.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 1}});
  api.post("/api/v3/instance/workspaces", json::object());
  api.get("/api/v3/workspaces/1");
  api.get("/api/v3/workspaces/1");
  api.get("/api/v3/workspaces/9");
  api.patch("/api/v3/instance/workspaces/1", {{"name", "b"}});
  api.get("/api/v3/company/workspaces");
  api.del("/api/v3/workspaces/1");
  api.get("/nowhere");
  json s = api.get("/_sim/stats").json();
  EXPECT_EQ(s["provider"], "paradigm");
  EXPECT_EQ(s["calls"]["create"], json({{"201", 1}, {"400", 1}}));
  EXPECT_EQ(s["calls"]["get"], json({{"200", 2}, {"403", 1}}));
  EXPECT_EQ(s["calls"]["update"], json({{"200", 1}}));
  EXPECT_EQ(s["calls"]["list"], json({{"200", 1}}));
  EXPECT_EQ(s["calls"]["delete"], json({{"204", 1}}));
  EXPECT_EQ(s["calls"]["unknown"], json({{"404", 1}}));
  EXPECT_EQ(s["total"], 9);
}

TEST_F(SimAdminTest, StatsNameStartAndStop) {
  Client api = client("aether");
  std::string id =
      api.post(std::string("/projects/") + kProject + "/workspaces", json::object()).json()["id"];
  api.request("POST", "/workspaces/" + id + "/start");
  api.request("POST", "/workspaces/" + id + "/stop");
  json s = api.get("/_sim/stats").json();
  EXPECT_EQ(s["calls"]["start"]["400"], 1);
  EXPECT_EQ(s["calls"]["stop"]["400"], 1);
}

TEST_F(SimAdminTest, StateListsDeletedAndArchivedWorkspacesWithAFlag) {
  Client paradigm = client("paradigm");
  paradigm.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 1}});
  paradigm.post("/api/v3/instance/workspaces", {{"name", "b"}, {"company_id", 1}});
  paradigm.del("/api/v3/workspaces/1");
  json ps = paradigm.get("/_sim/state").json()["workspaces"];
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0]["deleted"], true);
  EXPECT_EQ(ps[0]["name"], "a");
  EXPECT_EQ(ps[1]["deleted"], false);

  Client cadenya = client("cadenya");
  std::string cid = cadenya.post("/v1/account/workspaces", {{"metadata", {{"name", "c"}}}})
                        .json()["metadata"]["id"];
  cadenya.del("/v1/account/workspaces/" + cid);
  json cs = cadenya.get("/_sim/state").json()["workspaces"];
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0]["deleted"], true);
  EXPECT_EQ(cs[0]["status"], "STATUS_ARCHIVED");

  Client aether = client("aether");
  std::string aid =
      aether.post(std::string("/projects/") + kProject + "/workspaces", json::object())
          .json()["id"];
  aether.del("/workspaces/" + aid);
  json as = aether.get("/_sim/state").json()["workspaces"];
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0]["deleted"], true);
  EXPECT_EQ(as[0]["id"], aid);
}

TEST_F(SimAdminTest, ResetForgetsWorkspacesAndStatsAndRestartsIds) {
  Client api = client("paradigm");
  api.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 1}});
  ASSERT_EQ(api.request("POST", "/_sim/reset").status, 200);
  EXPECT_EQ(api.get("/_sim/state").json()["workspaces"].size(), 0u);
  EXPECT_EQ(api.get("/_sim/stats").json()["total"], 0);
  EXPECT_EQ(
      api.post("/api/v3/instance/workspaces", {{"name", "b"}, {"company_id", 1}}).json()["id"], 1);
}

TEST_F(SimAdminTest, UnknownAdminEndpointsAre404Or405) {
  Client api = client("cadenya");
  EXPECT_EQ(api.get("/_sim/nothing").status, 404);
  EXPECT_EQ(api.get("/_sim/reset").status, 405);
  EXPECT_EQ(api.request("DELETE", "/_sim/state").status, 405);
}

}  // namespace
}  // namespace wsop::simtest
