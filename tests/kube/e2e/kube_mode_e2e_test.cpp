// End to end, with kubectl as the user: `wsctl controller --source
// kubernetes` against the Kubernetes API double (tests/kube/kube_api_double.py)
// and an in-process provider simulator. Workspaces applied with kubectl
// become Ready with their status, events, identity annotations and
// finalizer; a spec change reconciles at once and the operator's own writes
// do not loop; an invalid Workspace says so while the others go on; delete
// follows deletionPolicy; a Secret is read and its rotation followed; two
// replicas elect one leader, and killing it with SIGKILL mid-convergence,
// with watches dropped and history compacted, ends with every workspace
// Ready once: 0 duplicates, 0 missing, 0 orphans.
#include "tests/kube/e2e/kube_mode_fixture.h"

namespace wsop::e2e {
namespace {

TEST_F(KubeModeE2e, AppliedWorkspacesBecomeReadyWithStatusEventsAndIdentity) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("alpha", "first") +
        workspace("beta", "second"));
  Process& controller = start_controller();
  auto wait = kubectl({"wait", "--for=condition=Ready", "-n", kNamespace, "workspace/alpha",
                       "workspace/beta", "--timeout=60s"});
  ASSERT_EQ(wait.exit_code, 0) << wait.out << wait.err << controller.err();
  EXPECT_EQ(remote_names(), (std::map<std::string, int>{{"E2E alpha", 1}, {"E2E beta", 1}}));

  auto alpha = object("alpha");
  ASSERT_TRUE(alpha);
  const json& meta = (*alpha)["metadata"];
  std::string remote_id = meta["annotations"].value("workspace-operator.io/external-name", "");
  EXPECT_FALSE(remote_id.empty());
  EXPECT_EQ((*alpha)["status"]["atProvider"].value("remoteId", ""), remote_id);
  // The provider's facts, kept by the API server because the CRD declares them.
  EXPECT_EQ((*alpha)["status"]["atProvider"]["cadenya"].value("state", ""), "STATUS_ENABLED")
      << alpha->dump();
  EXPECT_EQ(meta["finalizers"], json::array({"workspace-operator.io/finalizer"}));
  EXPECT_EQ((*alpha)["status"].value("observedGeneration", 0), meta.value("generation", -1));

  auto table = kubectl({"get", "workspaces", "-n", kNamespace});
  EXPECT_NE(table.out.find("REMOTE-ID"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(remote_id), std::string::npos) << table.out;
  ASSERT_TRUE(eventually(
      [&] {
        return kubectl({"describe", "workspace", "alpha", "-n", kNamespace}).out.find("Created") !=
               std::string::npos;
      },
      10s));

  // Idle: the operator's own writes do not come back as work.
  ASSERT_TRUE(double_->reset_stats().is_ok());
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(api_requests("patch workspaces/status"), 0);
  EXPECT_EQ(api_requests("patch workspaces"), 0);

  // A spec change reconciles at once; the same remote workspace is updated.
  apply(provider_config("{env: E2E_TOKEN}") + workspace("alpha", "changed") +
        workspace("beta", "second"));
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = client("cadenya", kToken).get("/v1/account/workspaces/" + remote_id);
        return reply.status == 200 && reply.json()["spec"].value("description", "") == "changed";
      },
      15s))
      << controller.err();
  EXPECT_EQ(remote_names()["E2E alpha"], 1);
  auto ready_text = endpoint(0, "/readyz");
  EXPECT_EQ(ready_text.status, 200);
  EXPECT_NE(ready_text.body.find("leader"), std::string::npos) << ready_text.body;
  EXPECT_EQ(metric(endpoint(0, "/metrics").body, "workspace_operator_leader"), 1.0);
}

TEST_F(KubeModeE2e, AnInvalidWorkspaceSaysSoAndTheOthersGoOn) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("good", "fine") +
        "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
        "  name: orphan-ref\n  namespace: team-e2e\nspec:\n"
        "  providerConfigRef: {name: no-such-config}\n  displayName: E2E orphan-ref\n");
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("good"); }, 60s)) << controller.err();
  ASSERT_TRUE(eventually(
      [&] {
        auto o = object("orphan-ref");
        return o && condition(*o, "Synced") == "False/InvalidSpec";
      },
      30s))
      << controller.err();
  auto o = object("orphan-ref");
  std::string message;
  for (const auto& c : (*o)["status"]["conditions"]) {
    if (c["type"] == "Synced") message = c.value("message", "");
  }
  EXPECT_NE(message.find("no-such-config"), std::string::npos) << message;
  EXPECT_EQ(remote_names().count("E2E orphan-ref"), 0u);
}

TEST_F(KubeModeE2e, DeleteFollowsTheDeletionPolicy) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("gone", "to-delete", "Delete") +
        workspace("kept", "to-keep", "Orphan"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("gone") && ready("kept"); }, 60s)) << controller.err();
  auto deleted =
      kubectl({"delete", "workspace", "gone", "kept", "-n", kNamespace, "--timeout=60s"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err << controller.err();
  EXPECT_FALSE(object("gone"));
  EXPECT_FALSE(object("kept"));
  auto names = remote_names();
  EXPECT_EQ(names.count("E2E gone"), 0u) << "deletionPolicy Delete deletes the remote";
  EXPECT_EQ(names["E2E kept"], 1) << "deletionPolicy Orphan leaves it";
}

TEST_F(KubeModeE2e, ATokenFromASecretIsReadAndItsRotationFollowed) {
  auto secret = kubectl({"create", "secret", "generic", "cadenya-token", "-n", kNamespace,
                         "--from-literal=token=not-the-right-one"});
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  apply(provider_config("{secretRef: {namespace: team-e2e, name: cadenya-token, key: token}}") +
        workspace("secret-fed", "fed-by-a-secret"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually(
      [&] {
        auto o = object("secret-fed");
        return o && condition(*o, "Synced").rfind("False/", 0) == 0;
      },
      30s))
      << controller.err();
  EXPECT_EQ(remote_names().count("E2E secret-fed"), 0u);
  // Rotation: the same Secret, now the token the account accepts.
  std::string file = dir_ + "/secret.yaml";
  write_file(file, std::string("apiVersion: v1\nkind: Secret\nmetadata: {name: cadenya-token, "
                               "namespace: team-e2e}\nstringData: {token: ") +
                       kToken + "}\n");
  auto rotated = kubectl({"apply", "-f", file});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  ASSERT_TRUE(eventually([&] { return ready("secret-fed"); }, 90s)) << controller.err();
  EXPECT_EQ(remote_names()["E2E secret-fed"], 1);
  auto o = object("secret-fed");
  EXPECT_EQ(o->dump().find(kToken), std::string::npos) << "the token is in the object";
}

// --resync still lists the providers: a change made behind the controller's
// back is undone at the next resync (SIGHUP asks for one now), in place.
TEST_F(KubeModeE2e, AResyncUndoesDriftOnTheProvider) {
  apply(provider_config("{env: E2E_TOKEN}") + workspace("drifty", "as-declared"));
  Process& controller = start_controller();
  ASSERT_TRUE(eventually([&] { return ready("drifty"); }, 60s)) << controller.err();
  std::string id = object("drifty")->at("status").at("atProvider").value("remoteId", "");
  auto patched =
      client("cadenya", kToken)
          .patch("/v1/account/workspaces/" + id + "?updateMask=spec.description",
                 {{"metadata", {{"name", "E2E drifty"}}}, {"spec", {{"description", "hacked"}}}});
  ASSERT_EQ(patched.status / 100, 2) << patched.body;
  controller.signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = client("cadenya", kToken).get("/v1/account/workspaces/" + id);
        return reply.status == 200 &&
               reply.json()["spec"].value("description", "") == "as-declared";
      },
      30s))
      << controller.err();
  EXPECT_EQ(remote_names()["E2E drifty"], 1);
}

// --namespace repeated: the Workspaces of those namespaces are reconciled,
// each with its record on its object; one elsewhere is left alone.
TEST_F(KubeModeE2e, OnlyTheWatchedNamespacesAreReconciled) {
  ASSERT_TRUE(double_->create_namespace("team-two").is_ok());
  ASSERT_TRUE(double_->create_namespace("team-other").is_ok());
  auto in = [](const std::string& yaml, const std::string& ns) {
    std::string out = yaml;
    out.replace(out.find("namespace: team-e2e"), 19, "namespace: " + ns);
    return out;
  };
  apply(provider_config("{env: E2E_TOKEN}") + workspace("first", "in-team-e2e") +
        in(workspace("second", "in-team-two"), "team-two") +
        in(workspace("third", "in-team-other"), "team-other"));
  Process& controller = start_controller({"--namespace", kNamespace, "--namespace", "team-two"});
  auto wait = kubectl(
      {"wait", "--for=condition=Ready", "-n", "team-two", "workspace/second", "--timeout=60s"});
  ASSERT_EQ(wait.exit_code, 0) << wait.out << wait.err << controller.err();
  ASSERT_TRUE(eventually([&] { return ready("first"); }, 30s)) << controller.err();
  std::this_thread::sleep_for(2s);
  auto names = remote_names();
  EXPECT_EQ(names["E2E first"], 1);
  EXPECT_EQ(names["E2E second"], 1);
  EXPECT_EQ(names.count("E2E third"), 0u) << "a namespace that is not watched was reconciled";
  auto api = endpoint(0, "/api/v1/namespaces/team-two/workspaces/second");
  EXPECT_EQ(api.status, 200) << api.body;
}

// Two replicas; the leader is killed with SIGKILL mid-convergence while the
// watches drop and history is compacted: the standby takes over within the
// lease duration and finishes. Every workspace Ready once.
TEST_F(KubeModeE2e, TwoReplicasSurviveTheLeaderKilledMidConvergence) {
  constexpr int kCount = 30;
  set_faults_latency(150);
  std::string yaml = provider_config("{env: E2E_TOKEN}");
  for (int i = 0; i < kCount; ++i) yaml += workspace("ha-" + std::to_string(i), "highly-available");
  apply(yaml);
  std::vector<std::string> ha = {"--leader-elect", "--leader-election-namespace", "default",
                                 "--workers", "2"};
  start_controller(ha);
  start_controller(ha);
  // The leader is the replica whose gauge says so.
  size_t leader = 2;
  ASSERT_TRUE(eventually(
      [&] {
        for (size_t i = 0; i < 2; ++i) {
          if (metric(endpoint(i, "/metrics").body, "workspace_operator_leader") == 1.0) leader = i;
        }
        return leader < 2;
      },
      30s));
  auto ready_count = [&] {
    int n = 0;
    for (int i = 0; i < kCount; ++i) n += ready("ha-" + std::to_string(i)) ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return ready_count() >= 3; }, 60s));
  ASSERT_LT(ready_count(), kCount) << "convergence too fast to test a takeover mid-way";
  controllers_[leader]->signal(SIGKILL);
  ASSERT_TRUE(double_->drop_watches().is_ok());
  ASSERT_TRUE(double_->compact().is_ok());
  size_t standby = 1 - leader;
  ASSERT_TRUE(eventually(
      [&] {
        return metric(endpoint(standby, "/metrics").body, "workspace_operator_leader") == 1.0;
      },
      30s))
      << controllers_[standby]->err();
  ASSERT_TRUE(eventually([&] { return ready_count() == kCount; }, 120s))
      << controllers_[standby]->err();
  auto names = remote_names();
  EXPECT_EQ(names.size(), static_cast<size_t>(kCount)) << "missing or orphaned workspaces";
  for (const auto& [name, count] : names) EXPECT_EQ(count, 1) << name << " duplicated";
}

}  // namespace
}  // namespace wsop::e2e
