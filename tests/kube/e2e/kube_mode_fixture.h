// The fixture of the kubernetes-mode end-to-end tests: the Kubernetes API
// double (tests/kube/kube_api_double.py) with namespace team-e2e, an
// in-process provider simulator, `wsctl controller --source kubernetes`
// replicas as child processes, and kubectl as the user. Shared by the
// e2e/*_test.cpp files of tests/kube (each test binary includes it once).
#pragma once

#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/controller_e2e/controller_harness.h"
#include "tests/kube/kube_double.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::e2e {

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
    config.at("cadenya").auth.tokens = {kToken};
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

 public:
  // `annotations`: a flow mapping such as {a: "b"}; `spec_extra`: more
  // spec lines, each indented by two spaces and ending in a newline.
  static std::string workspace(const std::string& name, const std::string& description,
                               const std::string& policy = "Delete",
                               const std::string& annotations = "",
                               const std::string& spec_extra = "",
                               const std::string& config = "sim-cadenya") {
    return "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
           "  name: " +
           name + "\n  namespace: team-e2e\n" +
           (annotations.empty() ? "" : "  annotations: " + annotations + "\n") +
           "spec:\n  providerConfigRef: {name: " + config + "}\n  deletionPolicy: " + policy +
           "\n  displayName: E2E " + name + "\n  description: " + description + "\n" + spec_extra;
  }

 protected:
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
  // The message of the object's condition `type` ("" when none).
  static std::string condition_message(const json& object, const std::string& type) {
    for (const auto& c :
         object.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == type) return c.value("message", "");
    }
    return "";
  }
  static std::string annotation(const json& object, const std::string& key) {
    const json& meta = object.value("metadata", json::object());
    return meta.value("annotations", json::object()).value(key, "");
  }
  // The replica whose workspace_operator_leader gauge is 1 (nullopt: none
  // or several).
  std::optional<size_t> leader_replica() {
    std::optional<size_t> leader;
    int leaders = 0;
    for (size_t i = 0; i < controllers_.size(); ++i) {
      if (!controllers_[i] || !controllers_[i]->running()) continue;
      if (metric(endpoint(i, "/metrics").body, "workspace_operator_leader") == 1.0) {
        leader = i;
        ++leaders;
      }
    }
    return leaders == 1 ? leader : std::nullopt;
  }
  bool ready(const std::string& name) {
    auto o = object(name);
    return o && condition(*o, "Ready").rfind("True/", 0) == 0 &&
           condition(*o, "Synced").rfind("True/", 0) == 0;
  }

  // name -> count of live workspaces with that display name on the simulator.
  std::map<std::string, int> remote_names(const std::string& provider = "cadenya") {
    std::map<std::string, int> out;
    auto reply = client(provider, kToken).get("/_sim/state");
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

  // The ids of the live workspaces named `name` on the simulator.
  std::vector<std::string> remote_ids(const std::string& provider, const std::string& name) {
    std::vector<std::string> out;
    auto reply = client(provider, kToken).get("/_sim/state");
    if (reply.status != 200) return out;
    for (const auto& ws : reply.json().value("workspaces", json::array())) {
      if (ws.value("deleted", false)) continue;
      const json& meta = ws.contains("metadata") ? ws["metadata"] : ws;
      if (meta.value("name", "") != name) continue;
      const json& id = meta.contains("id") ? meta["id"] : json();
      out.push_back(id.is_string() ? id.get<std::string>() : id.dump());
    }
    return out;
  }

  // The calls of `operations` the simulator answered for `provider`, any outcome.
  int sim_calls(const std::string& provider, const std::vector<std::string>& operations) {
    auto reply = client(provider, kToken).get("/_sim/stats");
    if (reply.status != 200) return -1;
    const json calls = reply.json().value("calls", json::object());
    int total = 0;
    for (const auto& op : operations) {
      const json outcomes = calls.value(op, json::object());  // items() must not outlive it
      for (const auto& [outcome, count] : outcomes.items()) {
        total += count.get<int>();
      }
    }
    return total;
  }
  int sim_writes(const std::string& provider) {
    return sim_calls(provider, {"create", "update", "delete", "start", "stop"});
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

}  // namespace wsop::e2e
