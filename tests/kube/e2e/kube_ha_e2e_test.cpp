// Kubernetes mode, high availability and the informers, end to end
// (kube_mode_fixture.h): a leader whose Lease updates fail stops and exits
// within its renew deadline and the standby finishes; /readyz and the
// workspace_operator_leader gauge say who leads; SIGTERM releases the Lease
// so the standby leads at once; watches dropped abruptly and history
// compacted while idle do not stop the next spec change from reconciling.
#include <chrono>
#include <iostream>

#include "cmd/wsctl/commands.h"
#include "tests/kube/e2e/kube_mode_fixture.h"

namespace wsop::e2e {
namespace {

const std::vector<std::string> kElectionFlags = {"--leader-elect", "--leader-election-namespace",
                                                 "default", "--workers", "2"};

std::string ha_workspaces(int first, int count, const std::string& description) {
  std::string yaml;
  for (int i = first; i < first + count; ++i) {
    yaml += KubeModeE2e::workspace("ha-" + std::to_string(i), description);
  }
  return yaml;
}

// The text after `prefix` on the first line of a /readyz body ("ok: leader ID").
std::string readyz_identity(const std::string& body, const std::string& prefix) {
  auto at = body.find(prefix);
  if (at == std::string::npos) return "";
  std::string rest = body.substr(at + prefix.size());
  return rest.substr(0, rest.find_first_of(",\n"));
}

// Client-go's defaults, which the controller uses: the leader's renewals
// fail, so it must stop leading within the 10 s renew deadline (before the
// 15 s lease can expire for anyone else) and exit with kExitLostLeadership;
// the standby then takes the Lease over and finishes the work.
TEST_F(KubeModeE2e, ALeaderThatCannotRenewExitsWithinTheRenewDeadlineAndTheStandbyFinishes) {
  set_faults_latency(100);
  apply(provider_config("{env: E2E_TOKEN}") + ha_workspaces(0, 4, "before"));
  start_controller(kElectionFlags);
  start_controller(kElectionFlags);
  std::optional<size_t> leader;
  ASSERT_TRUE(eventually([&] { return (leader = leader_replica()).has_value(); }, 60s));
  ASSERT_TRUE(eventually(
      [&] {
        for (int i = 0; i < 4; ++i) {
          if (!ready("ha-" + std::to_string(i))) return false;
        }
        return true;
      },
      90s));
  const size_t standby = 1 - *leader;

  // Only Lease updates fail (the renewals); everything else works.
  ASSERT_TRUE(double_
                  ->fail({{"ratio", 1.0},
                          {"code", 500},
                          {"verbs", json::array({"update"})},
                          {"resources", json::array({"leases"})}})
                  .is_ok());
  const auto failing_since = std::chrono::steady_clock::now();
  // New work for whoever leads.
  apply(provider_config("{env: E2E_TOKEN}") + ha_workspaces(0, 4, "before") +
        ha_workspaces(4, 8, "after"));
  Process& old_leader = *controllers_[*leader];
  std::optional<int> exit_code = old_leader.wait(40s);
  const auto exited_after = std::chrono::steady_clock::now() - failing_since;
  ASSERT_TRUE(exit_code.has_value()) << "the leader did not exit\n" << old_leader.err();
  std::cerr << "the leader exited "
            << std::chrono::duration_cast<std::chrono::milliseconds>(exited_after).count()
            << " ms after its renewals began to fail\n";
  EXPECT_EQ(*exit_code, cli::kExitLostLeadership) << old_leader.err();
  // Its last successful renewal was sent at most one retry period (2 s)
  // before the failures began; the deadline is 10 s after it. The margin is
  // for a loaded machine, and still short of the 15 s lease plus the time
  // the standby needs to notice it expired.
  EXPECT_LT(exited_after, 20s) << "the leader went on after its renew deadline";
  EXPECT_NE(old_leader.err().find("leadership lost"), std::string::npos) << old_leader.err();

  ASSERT_TRUE(double_->stop_failing().is_ok());
  ASSERT_TRUE(eventually(
      [&] {
        return metric(endpoint(standby, "/metrics").body, "workspace_operator_leader") == 1.0;
      },
      45s))
      << controllers_[standby]->err();
  ASSERT_TRUE(eventually(
      [&] {
        for (int i = 0; i < 12; ++i) {
          if (!ready("ha-" + std::to_string(i))) return false;
        }
        return true;
      },
      120s))
      << controllers_[standby]->err();
  auto names = remote_names();
  EXPECT_EQ(names.size(), 12u) << "missing or orphaned workspaces";
  for (const auto& [name, count] : names) EXPECT_EQ(count, 1) << name << " duplicated";
  EXPECT_TRUE(controllers_[standby]->running());
}

// /readyz says "leader" on the leader and "standby ..., the leader is ID" on
// the other; the gauge is 1 on exactly one. SIGTERM of the leader releases
// the Lease, so the standby leads within a couple of retry periods, far
// sooner than the 15 s a crashed leader's Lease takes to expire.
TEST_F(KubeModeE2e, ReadyzNamesTheLeaderAndSigtermHandsTheLeaseOverAtOnce) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("first", "before-handover"));
  start_controller(kElectionFlags);
  start_controller(kElectionFlags);
  std::optional<size_t> leader;
  ASSERT_TRUE(eventually([&] { return (leader = leader_replica()).has_value(); }, 60s));
  ASSERT_TRUE(eventually([&] { return ready("first"); }, 60s));
  const size_t standby = 1 - *leader;

  auto leader_ready = endpoint(*leader, "/readyz");
  EXPECT_EQ(leader_ready.status, 200) << leader_ready.body;
  const std::string leader_identity = readyz_identity(leader_ready.body, "leader ");
  EXPECT_FALSE(leader_identity.empty()) << leader_ready.body;
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = endpoint(standby, "/readyz");
        return reply.status == 200 &&
               readyz_identity(reply.body, "the leader is ") == leader_identity;
      },
      10s))
      << endpoint(standby, "/readyz").body;
  auto standby_ready = endpoint(standby, "/readyz");
  EXPECT_NE(standby_ready.body.find("standby"), std::string::npos) << standby_ready.body;
  EXPECT_EQ(standby_ready.body.find("leader " + leader_identity + "\n"), std::string::npos);
  EXPECT_EQ(metric(endpoint(*leader, "/metrics").body, "workspace_operator_leader"), 1.0);
  EXPECT_EQ(metric(endpoint(standby, "/metrics").body, "workspace_operator_leader"), 0.0);

  const auto terminated_at = std::chrono::steady_clock::now();
  controllers_[*leader]->signal(SIGTERM);
  ASSERT_TRUE(eventually(
      [&] {
        return metric(endpoint(standby, "/metrics").body, "workspace_operator_leader") == 1.0;
      },
      30s))
      << controllers_[standby]->err();
  const auto handed_over_after = std::chrono::steady_clock::now() - terminated_at;
  std::cerr << "the standby led "
            << std::chrono::duration_cast<std::chrono::milliseconds>(handed_over_after).count()
            << " ms after SIGTERM of the leader\n";
  // Released: a retry period (2 s, jittered) plus the drain, not the 15 s lease.
  EXPECT_LT(handed_over_after, 10s) << "the Lease was not released on SIGTERM";
  auto exit_code = controllers_[*leader]->wait(20s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_EQ(*exit_code, 0) << controllers_[*leader]->err();
  auto now_ready = endpoint(standby, "/readyz");
  EXPECT_NE(now_ready.body.find("ok: leader "), std::string::npos) << now_ready.body;

  // The new leader works.
  apply(provider_config("{env: E2E_TOKEN}") + workspace("first", "before-handover") +
        workspace("second", "after-handover"));
  ASSERT_TRUE(eventually([&] { return ready("second"); }, 60s)) << controllers_[standby]->err();
  EXPECT_EQ(remote_names(), (std::map<std::string, int>{{"E2E first", 1}, {"E2E second", 1}}));
}

// Idle, every watch is cut without a final chunk and the history the
// informers would resume from is compacted (a resume answers 410 Gone):
// a spec change applied afterwards still reconciles within seconds, and so
// does a new Workspace.
TEST_F(KubeModeE2e, AfterWatchesDropAndHistoryIsCompactedASpecChangeStillReconciles) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("steady", "original"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("steady"); }, 60s)) << controller.err();
  auto o = object("steady");
  ASSERT_TRUE(o);
  const std::string remote_id = annotation(*o, "workspace-operator.io/external-name");
  ASSERT_FALSE(remote_id.empty());

  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(double_->drop_watches(/*abrupt=*/true).is_ok());
    auto compacted = double_->compact();
    ASSERT_TRUE(compacted.is_ok()) << compacted.status().to_string();
    std::this_thread::sleep_for(2s);
    const std::string description = "changed-" + std::to_string(round);
    apply(provider_config("{env: E2E_TOKEN}") + workspace("steady", description) +
          (round == 1 ? workspace("newcomer", "after-compaction") : ""));
    ASSERT_TRUE(eventually(
        [&] {
          auto reply = client("cadenya", kToken).get("/v1/account/workspaces/" + remote_id);
          return reply.status == 200 &&
                 reply.json()["spec"].value("description", "") == description;
        },
        30s))
        << "round " << round << "\n"
        << controller.err();
  }
  ASSERT_TRUE(eventually([&] { return ready("newcomer"); }, 30s)) << controller.err();
  EXPECT_EQ(remote_names(), (std::map<std::string, int>{{"E2E steady", 1}, {"E2E newcomer", 1}}));
  auto stats = double_->stats();
  ASSERT_TRUE(stats.is_ok());
  EXPECT_GE(stats->value("openWatches", 0), 1) << "the informers did not watch again";
}

}  // namespace
}  // namespace wsop::e2e
