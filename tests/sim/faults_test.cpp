// Fault injection (ARCHITECTURE.md section 9, issue 3 item 4), set at run time
// through PUT /_sim/faults and at start-up through the configuration.
#include <gtest/gtest.h>

#include <map>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const json kParadigmCreate = {{"name", "w"}, {"company_id", 1}};

class SimFaultsTest : public SimTest {
 protected:
  void set_faults(const std::string& provider, const json& faults) {
    Reply r = client(provider).put("/_sim/faults", faults);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  json stats(const std::string& provider) { return client(provider).get("/_sim/stats").json(); }
  size_t stored(const std::string& provider) {
    return client(provider).get("/_sim/state").json()["workspaces"].size();
  }
};

TEST_F(SimFaultsTest, LatencyDelaysEveryAnswerButAdmin) {
  set_faults("paradigm", {{"latencyMs", 250}});
  Client api = client("paradigm");
  Reply r = api.get("/api/v3/company/workspaces");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.elapsed.count(), 250);
  EXPECT_GE(api.get("/api/v3/workspaces/77").elapsed.count(), 250);  // errors too
  EXPECT_LT(api.get("/_sim/stats").elapsed.count(), 200);
}

TEST_F(SimFaultsTest, JitterAddsUpToJitterMs) {
  set_faults("aether", {{"latencyMs", 50}, {"jitterMs", 150}});
  Client api = client("aether");
  long low = 1'000'000, high = 0;
  for (int i = 0; i < 12; ++i) {
    long ms = api.get("/workspaces").elapsed.count();
    low = std::min(low, ms);
    high = std::max(high, ms);
  }
  EXPECT_GE(low, 50);
  EXPECT_LE(high, 50 + 150 + 150);  // generous slack for a loaded machine
  EXPECT_GT(high - low, 5);         // not a constant delay
}

TEST_F(SimFaultsTest, LatencyIsWaitedWithoutBlockingOtherConnections) {
  set_faults("cadenya", {{"latencyMs", 400}});
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&] { EXPECT_EQ(client("cadenya").get("/v1/account/workspaces").status, 200); });
  }
  for (auto& t : threads) t.join();
  auto elapsed =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  EXPECT_LT(elapsed.count(), 1500);  // 8 x 400 ms in sequence would be 3.2 s
}

TEST_F(SimFaultsTest, ErrorRateAnswers5xxInEachVendorsShapeWithoutServing) {
  for (const char* provider : {"paradigm", "cadenya", "aether"})
    set_faults(provider, {{"errorRate", 1}});
  Reply p = client("paradigm").post("/api/v3/instance/workspaces", kParadigmCreate);
  EXPECT_TRUE(p.status == 500 || p.status == 502 || p.status == 503) << p.status;
  EXPECT_TRUE(p.json()["detail"].is_string());
  Reply c = client("cadenya").post("/v1/account/workspaces", {{"metadata", {{"name", "n"}}}});
  EXPECT_TRUE(c.status == 500 || c.status == 502 || c.status == 503) << c.status;
  EXPECT_EQ(c.json()["code"], c.status == 500 ? 13 : 14);
  Reply a =
      client("aether").post(std::string("/projects/") + kProject + "/workspaces", json::object());
  EXPECT_TRUE(a.status == 500 || a.status == 502 || a.status == 503) << a.status;
  EXPECT_TRUE(a.json()["error"].is_string());
  for (const char* provider : {"paradigm", "cadenya", "aether"})
    EXPECT_EQ(stored(provider), 0u) << provider;
}

TEST_F(SimFaultsTest, ErrorRateProducesAllThreeStatuses) {
  set_faults("aether", {{"errorRate", 1}});
  Client api = client("aether");
  std::set<int> statuses;
  for (int i = 0; i < 60; ++i) statuses.insert(api.get("/workspaces").status);
  EXPECT_EQ(statuses, (std::set<int>{500, 502, 503}));
}

TEST_F(SimFaultsTest, ResetRateAbortsTheConnection) {
  set_faults("paradigm", {{"resetRate", 1}});
  Reply r = client("paradigm").post("/api/v3/instance/workspaces", kParadigmCreate);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.failure, Failure::kReset) << failure_name(r.failure) << ": " << r.error;
  EXPECT_EQ(stored("paradigm"), 0u);
  EXPECT_EQ(stats("paradigm")["calls"]["create"]["reset"], 1);
}

TEST_F(SimFaultsTest, HangRateNeverAnswers) {
  set_faults("cadenya", {{"hangRate", 1}});
  Client api = client("cadenya");
  api.set_timeout(milliseconds(300));
  Reply r = api.get("/v1/account/workspaces");
  EXPECT_EQ(r.failure, Failure::kTimeout) << failure_name(r.failure) << ": " << r.error;
  EXPECT_EQ(stats("cadenya")["calls"]["list"]["hang"], 1);
  set_faults("cadenya", {{"hangRate", 0}});
  EXPECT_EQ(api.get("/v1/account/workspaces").status, 200);
}

TEST_F(SimFaultsTest, DropAfterCreateCommitsThenClosesUnanswered) {
  set_faults("paradigm", {{"dropAfterCreateRate", 1}});
  Client api = client("paradigm");
  Reply r = api.post("/api/v3/instance/workspaces", kParadigmCreate);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.failure, Failure::kClosed) << failure_name(r.failure) << ": " << r.error;
  json state = client("paradigm").get("/_sim/state").json();
  ASSERT_EQ(state["workspaces"].size(), 1u);  // committed although never answered
  EXPECT_EQ(state["workspaces"][0]["name"], "w");
  EXPECT_EQ(stats("paradigm")["calls"]["create"]["dropped"], 1);
  // Only successful creates are dropped: reads and invalid creates answer.
  EXPECT_EQ(api.get("/api/v3/workspaces/1").status, 200);
  EXPECT_EQ(api.post("/api/v3/instance/workspaces", json::object()).status, 400);
}

TEST_F(SimFaultsTest, DropAfterCreateWorksForEveryVendor) {
  set_faults("cadenya", {{"dropAfterCreateRate", 1}});
  set_faults("aether", {{"dropAfterCreateRate", 1}});
  EXPECT_EQ(
      client("cadenya").post("/v1/account/workspaces", {{"metadata", {{"name", "n"}}}}).failure,
      Failure::kClosed);
  EXPECT_EQ(client("aether")
                .post(std::string("/projects/") + kProject + "/workspaces", json::object())
                .failure,
            Failure::kClosed);
  EXPECT_EQ(stored("cadenya"), 1u);
  EXPECT_EQ(stored("aether"), 1u);
}

TEST_F(SimFaultsTest, RateLimitAnswers429WithRetryAfter) {
  set_faults("paradigm", {{"rateLimitRps", 2}});
  set_faults("cadenya", {{"rateLimitRps", 2}});
  Client paradigm = client("paradigm");
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    Reply r = paradigm.get("/api/v3/company/workspaces");
    if (r.status != 429) continue;
    ++limited;
    EXPECT_GE(std::stoi(r.header("retry-after")), 1);
    EXPECT_TRUE(r.json()["detail"].is_string());
  }
  EXPECT_GE(limited, 3);
  Reply c;
  for (int i = 0; i < 4 && c.status != 429; ++i)
    c = client("cadenya").get("/v1/account/workspaces");
  ASSERT_EQ(c.status, 429);
  EXPECT_EQ(c.json()["code"], 8);
  EXPECT_FALSE(c.header("retry-after").empty());
  EXPECT_GE(stats("paradigm")["calls"]["list"]["429"], 3);
}

// A 429 is decided before the request is served (sim/core/service.cpp):
// a throttled create never commits, even where every served create would
// be committed and its answer dropped. The create journal's re-send of a
// 429 rests on it (controller/reconcile/create_journal.cpp).
TEST_F(SimFaultsTest, AThrottledCreateIsNeverCommitted) {
  const std::map<std::string, std::pair<std::string, json>> creates = {
      {"paradigm", {"/api/v3/instance/workspaces", kParadigmCreate}},
      {"cadenya", {"/v1/account/workspaces", {{"metadata", {{"name", "n"}}}}}},
      {"aether", {std::string("/projects/") + kProject + "/workspaces", json::object()}}};
  for (const auto& [provider, create] : creates) {
    set_faults(provider, {{"rateLimitRps", 2}, {"dropAfterCreateRate", 1}});
    Client api = client(provider);
    int throttled = 0, served = 0;
    for (int i = 0; i < 8; ++i) {
      Reply r = api.post(create.first, create.second);
      if (r.status == 429) {
        ++throttled;
      } else {
        EXPECT_EQ(r.failure, Failure::kClosed) << provider << ": " << r.status << " " << r.body;
        ++served;
        api = client(provider);  // the dropped answer closed the connection
      }
    }
    EXPECT_GE(throttled, 4) << provider;
    EXPECT_EQ(stored(provider), static_cast<size_t>(served)) << provider;
    EXPECT_EQ(stats(provider)["calls"]["create"]["429"], throttled) << provider;
  }
}

TEST_F(SimFaultsTest, RateLimitRecoversAfterRetryAfter) {
  set_faults("aether", {{"rateLimitRps", 5}});
  Client api = client("aether");
  Reply r;
  for (int i = 0; i < 10 && r.status != 429; ++i) r = api.get("/workspaces");
  ASSERT_EQ(r.status, 429);
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(r.header("retry-after"))));
  EXPECT_EQ(api.get("/workspaces").status, 200);
}

TEST_F(SimFaultsTest, AdminEndpointsAreNeverFaultedNorAuthenticated) {
  set_faults("aether", {{"resetRate", 1}, {"latencyMs", 1000}, {"rateLimitRps", 0.1}});
  Client admin = client("aether", "");
  for (int i = 0; i < 5; ++i) {
    Reply r = admin.get("/_sim/stats");
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(r.elapsed.count(), 500);
  }
  EXPECT_EQ(admin.get("/_sim/state").status, 200);
  EXPECT_EQ(admin.get("/_sim/faults").json()["resetRate"], 1);
}

TEST_F(SimFaultsTest, PutFaultsMergesAndValidates) {
  Client admin = client("paradigm");
  set_faults("paradigm", {{"latencyMs", 5}});
  json merged = admin.put("/_sim/faults", {{"errorRate", 0.5}}).json();
  EXPECT_EQ(merged["latencyMs"], 5);
  EXPECT_EQ(merged["errorRate"], 0.5);
  EXPECT_EQ(admin.put("/_sim/faults", {{"errorRate", 2}}).status, 400);
  EXPECT_EQ(admin.put("/_sim/faults", {{"explode", true}}).status, 400);
  EXPECT_EQ(admin.request("PUT", "/_sim/faults", "{nope").status, 400);
  EXPECT_EQ(admin.get("/_sim/faults").json()["errorRate"], 0.5);
}

TEST_F(SimFaultsTest, StartupFaultsComeFromTheConfigAndResetRestoresThem) {
  sim::SimConfig config = test_config();
  config.at("paradigm").listen.faults.error_rate = 1;
  start(config);
  Client api = client("paradigm");
  EXPECT_GE(api.get("/api/v3/company/workspaces").status, 500);
  set_faults("paradigm", {{"errorRate", 0}});
  EXPECT_EQ(api.get("/api/v3/company/workspaces").status, 200);
  EXPECT_EQ(api.request("POST", "/_sim/reset").status, 200);
  EXPECT_EQ(api.get("/_sim/faults").json()["errorRate"], 1);
}

}  // namespace
}  // namespace wsop::simtest
