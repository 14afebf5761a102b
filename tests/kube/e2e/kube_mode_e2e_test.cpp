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
#include <signal.h>

#include <filesystem>
#include <set>

#include "tests/controller_e2e/controller_harness.h"
#include "tests/kube/kube_double.h"
#include "tests/providers/sim/sim_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kToken = "tok-KUBE-e2e-7Hq2Lx-never-logged";
constexpr const char* kNamespace = "team-e2e";
const char* const kWorkspacesPath =
    "/apis/workspace-operator.io/v1alpha1/namespaces/team-e2e/workspaces";

class KubeModeE2e : public simtest::SimTest {
 protected:
  void SetUp() override {
    sim::SimConfig config = simtest::test_config();
    config.cadenya.auth.tokens = {kToken};
    start(config);
    char pattern[] = "/tmp/wsop-kube-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    kubetest::KubeDoubleOptions options;
    options.bookmark_interval_seconds = 1;
    double_ = std::make_unique<kubetest::KubeDouble>(options);
    Status s = double_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    ASSERT_TRUE(double_->create_namespace(kNamespace).is_ok());
  }

  void TearDown() override {
    for (auto& c : controllers_) {
      if (c && c->running()) c->signal(SIGTERM);
      if (c) c->wait(20s);
    }
    for (auto& c : controllers_) {
      if (!c) continue;
      std::string logs = c->out() + c->err();
      EXPECT_EQ(logs.find(kToken), std::string::npos) << "a token reached the logs";
      if (HasFailure()) std::cerr << "--- controller log ---\n" << logs.substr(0, 20000) << "\n";
    }
    controllers_.clear();
    if (HasFailure()) std::cerr << "--- API double ---\n" << double_->log().substr(0, 5000);
    double_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // kubectl apply -f of `yaml`; the test fails on a non-zero exit.
  void apply(const std::string& yaml) {
    std::string file = dir_ + "/apply-" + std::to_string(++applies_) + ".yaml";
    write_file(file, yaml);
    auto result = double_->kubectl({"apply", "-f", file});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }
  RunResult kubectl(const std::vector<std::string>& args) { return double_->kubectl(args); }

  std::string provider_config(const std::string& credentials) const {
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
           "metadata: {name: sim-cadenya}\nspec:\n  type: cadenya\n  baseUrl: " +
           sim_->url("cadenya") + "\n  credentials: " + credentials +
           "\n  rateLimit: {qps: 200, burst: 200}\n";
  }
  static std::string workspace(const std::string& name, const std::string& description,
                               const std::string& policy = "Delete") {
    return "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
           "  name: " +
           name +
           "\n  namespace: team-e2e\nspec:\n"
           "  providerConfigRef: {name: sim-cadenya}\n  deletionPolicy: " +
           policy + "\n  displayName: E2E " + name + "\n  description: " + description + "\n";
  }

  Process& start_controller(std::vector<std::string> extra = {}) {
    int port = free_port();
    std::vector<std::string> args = {WSOP_BINARY_DIR "/cmd/wsctl/wsctl",
                                     "controller",
                                     "--source",
                                     "kubernetes",
                                     "--kubeconfig",
                                     double_->kubeconfig_path(),
                                     "--metrics-addr",
                                     "127.0.0.1:" + std::to_string(port),
                                     "--resync",
                                     "1m",
                                     "--log-level",
                                     "debug"};
    args.insert(args.end(), extra.begin(), extra.end());
    controllers_.push_back(
        std::make_unique<Process>(args, std::map<std::string, std::string>{{"E2E_TOKEN", kToken}},
                                  dir_ + "/controller-" + std::to_string(controllers_.size())));
    ports_.push_back(port);
    return *controllers_.back();
  }

  simtest::Reply endpoint(size_t replica, const std::string& path) {
    simtest::Client client("http://127.0.0.1:" + std::to_string(ports_.at(replica)));
    client.set_timeout(2s);
    return client.get(path);
  }

  std::optional<json> object(const std::string& name) {
    auto reply = double_->request("GET", std::string(kWorkspacesPath) + "/" + name);
    if (reply.status != 200) return std::nullopt;
    return reply.json();
  }
  static std::string condition(const json& object, const std::string& type) {
    for (const auto& c :
         object.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == type) return c.value("status", "") + "/" + c.value("reason", "");
    }
    return "";
  }
  bool ready(const std::string& name) {
    auto o = object(name);
    return o && condition(*o, "Ready").rfind("True/", 0) == 0 &&
           condition(*o, "Synced").rfind("True/", 0) == 0;
  }

  // name -> count of live workspaces with that display name on the simulator.
  std::map<std::string, int> remote_names() {
    std::map<std::string, int> out;
    auto reply = client("cadenya", kToken).get("/_sim/state");
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) return out;
    const json state = reply.json();
    for (const auto& ws : state.value("workspaces", json::array())) {
      if (ws.value("deleted", false)) continue;
      const json& meta = ws.contains("metadata") ? ws["metadata"] : ws;
      out[meta.value("name", "")]++;
    }
    return out;
  }

  void set_faults_latency(int milliseconds) {
    ASSERT_EQ(client("cadenya", kToken).put("/_sim/faults", {{"latencyMs", milliseconds}}).status,
              200);
  }

  int api_requests(const std::string& what) {
    auto stats = double_->stats();
    if (!stats) return -1;
    const json& counts = stats->value("byVerbResource", json::object());
    return counts.value(what, 0);
  }

  std::unique_ptr<kubetest::KubeDouble> double_;
  std::vector<std::unique_ptr<Process>> controllers_;
  std::vector<int> ports_;
  std::string dir_;
  int applies_ = 0;
};

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
