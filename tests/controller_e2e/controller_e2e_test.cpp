// End-to-end tests of `wsctl controller` (issue 6): the built binary runs as
// a subprocess against an in-process provider simulator, its source a git
// repository (or git-sync's symlinked layout) that the tests commit to.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/controller_e2e/controller_harness.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

// A token no log line may ever contain.
constexpr const char* kToken = "tok-E2E-9f3Kq7Zx-do-not-log";

class ControllerE2e : public simtest::SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    char pattern[] = "/tmp/wsop-controller-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    repo_ = dir_ + "/repo";
    fs::create_directories(repo_);
    git("git init -q -b main . && git config user.email e2e@example.com && git config user.name "
        "e2e");
    port_ = free_port();
  }

  void TearDown() override {
    stop_controller();
    for (const auto& logs : all_logs_) {
      EXPECT_EQ(logs.find(kToken), std::string::npos) << "a token reached the logs";
    }
    if (!HasFailure())
      fs::remove_all(dir_);
    else
      std::cerr << "kept " << dir_ << " for inspection\n";
  }

  std::string git(const std::string& command, const std::string& where = "") {
    int code = 0;
    std::string out = shell(where.empty() ? repo_ : where, command, &code);
    EXPECT_EQ(code, 0) << command << ": " << out;
    return out;
  }
  std::string head(const std::string& where = "") { return git("git rev-parse HEAD", where); }

  // Writes (or, for an empty content, removes) files and commits them.
  std::string commit(const std::map<std::string, std::string>& files, const std::string& message) {
    for (const auto& [name, content] : files) {
      if (content.empty()) {
        git("git rm -q " + name);
      } else {
        write_file(repo_ + "/" + name, content);
      }
    }
    git("git add -A && git commit -q -m '" + message + "'");
    return head();
  }

  std::string provider_configs() const {
    std::string out;
    for (const char* type : {"paradigm", "cadenya"}) {
      out +=
          std::string("---\napiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n") +
          "metadata: {name: sim-" + type + "}\nspec:\n  type: " + type +
          "\n  baseUrl: " + sim_->url(type) + "\n  credentials: {env: E2E_TOKEN}\n" +
          "  rateLimit: {qps: 200, burst: 200}\n" +
          // The simulator's token belongs to company 1, whose list proves a
          // deleted workspace gone.
          (std::string(type) == "paradigm" ? "  paradigm: {companyId: 1}\n" : "");
    }
    return out;
  }

  static std::string annotations_yaml(const std::map<std::string, std::string>& annotations) {
    if (annotations.empty()) return "";
    std::string out = "  annotations:\n";
    for (const auto& [k, v] : annotations) out += "    " + k + ": \"" + v + "\"\n";
    return out;
  }

  static std::string paradigm_ws(const std::string& name, const std::string& description,
                                 const std::map<std::string, std::string>& annotations = {}) {
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: " +
           name + "\n" + annotations_yaml(annotations) +
           "spec:\n  providerConfigRef: {name: sim-paradigm}\n  displayName: E2E " + name +
           "\n  description: " + description + "\n  paradigm: {companyId: 1}\n";
  }

  static std::string cadenya_ws(const std::string& name, const std::string& description) {
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: " +
           name +
           "\n  namespace: team-e2e\nspec:\n  providerConfigRef: {name: sim-cadenya}\n"
           "  displayName: E2E " +
           name + "\n  description: " + description + "\n";
  }

  void start_controller(std::vector<std::string> extra = {}, const std::string& source = "",
                        const std::string& resync = "2s") {
    stop_controller();
    std::vector<std::string> args = {WSOP_BINARY_DIR "/cmd/wsctl/wsctl",
                                     "controller",
                                     "--source",
                                     source.empty() ? repo_ : source,
                                     "--state",
                                     dir_ + "/state.db",
                                     "--metrics-addr",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--resync",
                                     resync,
                                     "--source-poll",
                                     "200ms",
                                     "--instance-id",
                                     "e2e"};
    for (auto& a : extra) args.push_back(std::move(a));
    controller_ =
        std::make_unique<Process>(args, std::map<std::string, std::string>{{"E2E_TOKEN", kToken}},
                                  dir_ + "/controller-" + std::to_string(runs_++));
    ASSERT_TRUE(eventually([&] { return get("/healthz").status == 200; }, 10s))
        << controller_->err();
  }

  // SIGTERM and wait; returns the exit code.
  std::optional<int> stop_controller(std::chrono::milliseconds limit = 20s) {
    if (!controller_) return std::nullopt;
    controller_->signal(SIGTERM);
    auto code = controller_->wait(limit);
    remember_logs();
    controller_.reset();
    return code;
  }

  void remember_logs() {
    if (controller_) all_logs_.push_back(controller_->out() + controller_->err());
  }

  simtest::Reply get(const std::string& path) {
    simtest::Client client("http://127.0.0.1:" + std::to_string(port_));
    client.set_timeout(2s);
    return client.get(path);
  }
  std::string scrape() { return get("/metrics").body; }
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    return metric(scrape(), name, labels).value_or(-1);
  }

  // The live (not deleted) workspaces of a provider in the simulator.
  std::vector<json> remote(const std::string& provider) {
    auto reply = client(provider).get("/_sim/state");
    std::vector<json> out;
    if (reply.status != 200) return out;
    json body = reply.json();
    for (const auto& ws : body["workspaces"]) {
      if (!ws.value("deleted", false)) out.push_back(ws);
    }
    return out;
  }
  static std::string name_of(const json& ws) {
    return ws.contains("metadata") ? ws["metadata"].value("name", "") : ws.value("name", "");
  }
  static std::string description_of(const json& ws) {
    return ws.contains("spec") ? ws["spec"].value("description", "") : ws.value("description", "");
  }
  static std::string id_of(const json& ws) {
    return ws.contains("metadata") ? ws["metadata"].value("id", "")
                                   : std::to_string(ws.value("id", 0));
  }
  // name -> descriptions of every live workspace with that name (a
  // duplicate shows as two entries).
  std::map<std::string, std::vector<std::string>> by_name(const std::string& provider) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& ws : remote(provider)) out[name_of(ws)].push_back(description_of(ws));
    return out;
  }
  // Exactly one live workspace named "E2E <name>" with this description.
  bool has(const std::string& provider, const std::string& name, const std::string& description) {
    auto all = by_name(provider);
    auto it = all.find("E2E " + name);
    return it != all.end() && it->second == std::vector<std::string>{description};
  }
  bool absent(const std::string& provider, const std::string& name) {
    return by_name(provider).count("E2E " + name) == 0;
  }
  std::string remote_id(const std::string& provider, const std::string& name) {
    for (const auto& ws : remote(provider)) {
      if (name_of(ws) == "E2E " + name) return id_of(ws);
    }
    return "";
  }

  bool revision_is(const std::string& commit) {
    std::string text = scrape();
    return metric(text, "workspace_operator_source_revision_info",
                  {{"revision", "git:" + commit}}) == 1.0 &&
           metric(text, "workspace_operator_source_revision_info") == 1.0;
  }

  void set_faults(const std::string& provider, const json& faults) {
    ASSERT_EQ(client(provider).put("/_sim/faults", faults).status, 200);
  }
  int sim_calls(const std::string& provider, const std::string& operation) {
    auto stats = client(provider).get("/_sim/stats").json();
    int total = 0;
    if (stats.contains("calls") && stats["calls"].contains(operation)) {
      for (const auto& [outcome, count] : stats["calls"][operation].items())
        total += count.get<int>();
    }
    return total;
  }

  std::string dir_, repo_;
  int port_ = 0;
  int runs_ = 0;
  std::unique_ptr<Process> controller_;
  std::vector<std::string> all_logs_;
};

// Commits that add, change and remove workspaces converge (with --prune),
// and the revision metric names the checked-out commit.
TEST_F(ControllerE2e, GitCommitsConverge) {
  std::string first = commit({{"providers.yaml", provider_configs()},
                              {"alpha.yaml", cadenya_ws("alpha", "first")},
                              {"beta.yaml", paradigm_ws("beta", "one")}},
                             "initial");
  start_controller({"--prune", "--max-prune", "100"});
  ASSERT_TRUE(eventually(
      [&] { return has("cadenya", "alpha", "first") && has("paradigm", "beta", "one"); }, 10s))
      << controller_->err();
  ASSERT_TRUE(eventually([&] { return revision_is(first); })) << scrape();

  std::string second = commit({{"alpha.yaml", ""},
                               {"beta.yaml", paradigm_ws("beta", "two")},
                               {"gamma.yaml", paradigm_ws("gamma", "new")}},
                              "remove alpha, change beta, add gamma");
  ASSERT_TRUE(eventually(
      [&] {
        return absent("cadenya", "alpha") && has("paradigm", "beta", "two") &&
               has("paradigm", "gamma", "new");
      },
      10s))
      << controller_->err();
  ASSERT_TRUE(eventually([&] { return revision_is(second); })) << scrape();
  EXPECT_EQ(second, head());

  ASSERT_TRUE(eventually([&] {
    std::set<std::string> names;
    json list = json::parse(get("/api/v1/workspaces").body, nullptr, false);
    if (!list.is_object()) return false;
    for (const auto& item : list["items"]) {
      names.insert(item["metadata"]["name"].get<std::string>());
    }
    return names == std::set<std::string>{"beta", "gamma"};
  }));
  EXPECT_EQ(stop_controller(), 0);
}

// The controller's prune guard is apply --prune's (controller/reconcile/
// prune_guard.h), in the same words: a revision that would prune two of
// three workspaces is reconciled without pruning.
TEST_F(ControllerE2e, PruneGuardKeepsWorkspacesWhenTooManyLeaveAtOnce) {
  commit({{"providers.yaml", provider_configs()},
          {"one.yaml", paradigm_ws("one", "v1")},
          {"two.yaml", paradigm_ws("two", "v1")},
          {"three.yaml", paradigm_ws("three", "v1")}},
         "three");
  start_controller({"--prune"});
  ASSERT_TRUE(eventually(
      [&] {
        return has("paradigm", "one", "v1") && has("paradigm", "two", "v1") &&
               has("paradigm", "three", "v1");
      },
      10s))
      << controller_->err();
  std::string second = commit({{"two.yaml", ""}, {"three.yaml", ""}}, "remove two of three");
  ASSERT_TRUE(eventually([&] { return revision_is(second); })) << scrape();
  ASSERT_TRUE(eventually([&] {
    return controller_->err().find(
               "prune refused: pruning would delete 2 of 3 managed "
               "workspaces, more than --max-prune=50%") != std::string::npos;
  })) << controller_->err();
  // Through at least one resync, nothing is deleted.
  std::this_thread::sleep_for(2500ms);
  EXPECT_TRUE(has("paradigm", "two", "v1"));
  EXPECT_TRUE(has("paradigm", "three", "v1"));
  EXPECT_EQ(stop_controller(), 0);
}

// git-sync's layout: root/.worktrees/<sha> checkouts and a root/current
// symlink swapped atomically to the newest one.
TEST_F(ControllerE2e, FollowsGitSyncSymlinkSwap) {
  std::string first = commit(
      {{"providers.yaml", provider_configs()}, {"one.yaml", paradigm_ws("one", "v1")}}, "first");
  std::string root = dir_ + "/sync";
  fs::create_directories(root + "/.worktrees");
  auto publish = [&](const std::string& sha) {
    git("git worktree add -q --detach " + root + "/.worktrees/" + sha + " " + sha);
    git("ln -sfn .worktrees/" + sha + " current.new && mv -T current.new current", root);
  };
  publish(first);
  start_controller({}, root + "/current");
  ASSERT_TRUE(eventually([&] { return has("paradigm", "one", "v1"); }, 10s)) << controller_->err();
  ASSERT_TRUE(eventually([&] { return revision_is(first); })) << scrape();

  std::string second = commit(
      {{"one.yaml", paradigm_ws("one", "v2")}, {"two.yaml", paradigm_ws("two", "v1")}}, "second");
  publish(second);
  ASSERT_TRUE(
      eventually([&] { return has("paradigm", "one", "v2") && has("paradigm", "two", "v1"); }, 10s))
      << controller_->err();
  ASSERT_TRUE(eventually([&] { return revision_is(second); })) << scrape();
  EXPECT_EQ(stop_controller(), 0);
}

// Changes made behind the controller's back are undone within one resync
// (2s +-10%), and counted.
TEST_F(ControllerE2e, DriftOnTheSimulatorIsCorrectedWithinOneResync) {
  commit({{"providers.yaml", provider_configs()},
          {"alpha.yaml", cadenya_ws("alpha", "first")},
          {"beta.yaml", paradigm_ws("beta", "one")}},
         "initial");
  start_controller({"--log-format", "json"});
  ASSERT_TRUE(eventually(
      [&] { return has("cadenya", "alpha", "first") && has("paradigm", "beta", "one"); }, 10s))
      << controller_->err();
  double drift_before = value("workspace_operator_drift_corrections_total");
  ASSERT_GE(drift_before, 0);

  std::string beta = remote_id("paradigm", "beta");
  std::string alpha = remote_id("cadenya", "alpha");
  ASSERT_EQ(client("paradigm")
                .patch("/api/v3/instance/workspaces/" + beta, {{"description", "hacked"}})
                .status,
            200);
  ASSERT_EQ(client("cadenya").del("/v1/account/workspaces/" + alpha).status / 100, 2);
  ASSERT_TRUE(has("paradigm", "beta", "hacked"));
  ASSERT_TRUE(absent("cadenya", "alpha"));

  // One resync period is at most 2.2s; allow for the reconcile itself.
  ASSERT_TRUE(eventually(
      [&] { return has("paradigm", "beta", "one") && has("cadenya", "alpha", "first"); }, 3500ms))
      << controller_->err();
  EXPECT_EQ(remote_id("paradigm", "beta"), beta);  // updated in place, not re-created
  EXPECT_TRUE(eventually(
      [&] { return value("workspace_operator_drift_corrections_total") > drift_before; }));

  EXPECT_EQ(stop_controller(), 0);
  std::string logs = all_logs_.back();
  std::istringstream lines(logs);
  std::string line;
  int events = 0;
  while (std::getline(lines, line)) {
    json parsed = json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    EXPECT_TRUE(parsed.contains("time") && parsed.contains("level") && parsed.contains("msg"))
        << line;
    if (parsed.contains("event")) ++events;
  }
  EXPECT_GE(events, 3) << logs;  // two creates, a drift correction, a re-create
  EXPECT_NE(logs.find("drift"), std::string::npos) << logs;
}

// An invalid commit changes nothing: the last good revision keeps being
// reconciled, the error is logged and exported; a fixed commit recovers.
TEST_F(ControllerE2e, InvalidCommitKeepsTheLastGoodRevision) {
  std::string good = commit(
      {{"providers.yaml", provider_configs()}, {"beta.yaml", paradigm_ws("beta", "one")}}, "good");
  start_controller({"--prune"});
  ASSERT_TRUE(eventually([&] { return has("paradigm", "beta", "one"); }, 10s))
      << controller_->err();
  ASSERT_TRUE(eventually([&] { return revision_is(good); }));

  std::string bad = commit(
      {{"beta.yaml", paradigm_ws("beta", "two")},
       {"broken.yaml",
        "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata: {name: broken}\n"
        "spec:\n  providerConfigRef: {name: nowhere}\n  colour: blue\n"}},
      "broken");
  ASSERT_TRUE(eventually([&] { return value("workspace_operator_source_valid") == 0; }))
      << scrape();
  // Through at least one resync, nothing of the bad revision is applied.
  std::this_thread::sleep_for(2500ms);
  EXPECT_TRUE(has("paradigm", "beta", "one"));
  EXPECT_TRUE(revision_is(good)) << scrape();
  EXPECT_EQ(get("/readyz").status, 200);
  std::string err = controller_->err();
  EXPECT_NE(err.find("invalid manifest"), std::string::npos) << err;
  EXPECT_NE(err.find("broken.yaml"), std::string::npos) << err;
  EXPECT_NE(err.find("keeping the last good one"), std::string::npos) << err;

  std::string fixed = commit({{"broken.yaml", ""}}, "fixed");
  ASSERT_TRUE(eventually([&] { return has("paradigm", "beta", "two"); }, 10s))
      << controller_->err();
  EXPECT_TRUE(eventually(
      [&] { return revision_is(fixed) && value("workspace_operator_source_valid") == 1; }));
  EXPECT_EQ(stop_controller(), 0);
  EXPECT_FALSE(
      metric(scrape(), "workspace_operator_source_revision_info", {{"revision", "git:" + bad}}));
}

// /healthz, /readyz before and after the first good revision, metrics that
// move, promtool's verdict, labels without names or tokens, and the status
// API equal to `wsctl get -o json`.
TEST_F(ControllerE2e, EndpointsAndMetrics) {
  commit({{"providers.yaml", provider_configs()},
          {"broken.yaml",
           "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata: {name: x}\n"
           "spec: {providerConfigRef: {name: nowhere}}\n"}},
         "nothing valid yet");
  start_controller();
  EXPECT_EQ(get("/healthz").status, 200);
  ASSERT_TRUE(eventually([&] { return value("workspace_operator_source_valid") == 0; }))
      << scrape();
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/nowhere").status, 404);

  commit({{"broken.yaml", ""},
          {"alpha.yaml", cadenya_ws("alpha", "first")},
          {"beta.yaml", paradigm_ws("beta", "one")},
          {"gamma.yaml", paradigm_ws("gamma", "three")}},
         "valid");
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }, 5s));
  ASSERT_TRUE(eventually(
      [&] {
        return has("cadenya", "alpha", "first") && has("paradigm", "beta", "one") &&
               has("paradigm", "gamma", "three");
      },
      10s))
      << controller_->err();

  // The simulator stores a create before the controller has the answer and
  // counts the reconcile: wait for the three to be counted.
  std::string before;
  auto successes = [&] {
    return metric(before, "controller_runtime_reconcile_total", {{"result", "success"}})
        .value_or(0);
  };
  ASSERT_TRUE(eventually(
      [&] {
        before = scrape();
        return successes() >= 3;
      },
      10s))
      << before;
  double success = successes();
  double adds = metric(before, "workqueue_adds_total").value_or(0);
  EXPECT_GE(success, 3);
  EXPECT_GE(adds, 3);
  EXPECT_EQ(metric(before, "workspace_operator_provider_requests_total",
                   {{"provider", "sim-paradigm"}, {"operation", "create"}, {"code", "201"}}),
            2);
  EXPECT_EQ(metric(before, "workspace_operator_provider_requests_total",
                   {{"provider", "sim-cadenya"}, {"operation", "create"}, {"code", "200"}}),
            1);
  // No --workers: sized from the two ProviderConfigs' qps of 200
  // (runtime/worker_sizing.h: 2 x 200 x 0.2 s x 1.5).
  EXPECT_EQ(metric(before, "controller_runtime_max_concurrent_reconciles"), 120);
  EXPECT_TRUE(metric(before, "process_resident_memory_bytes").value_or(0) > 0);
  EXPECT_TRUE(metric(before, "workspace_operator_build_info").has_value());
  EXPECT_TRUE(eventually([&] {
    return metric(scrape(), "workspace_operator_workspaces",
                  {{"ready", "True"}, {"synced", "True"}}) == 3;
  }));

  // A resync reconciles everything again and lists each provider once.
  ASSERT_TRUE(eventually(
      [&] {
        std::string after = scrape();
        return metric(after, "controller_runtime_reconcile_total", {{"result", "success"}})
                       .value_or(0) >= success + 3 &&
               metric(after, "workqueue_adds_total").value_or(0) >= adds + 3;
      },
      5s));
  std::string after = scrape();
  EXPECT_GE(metric(after, "workspace_operator_provider_requests_total",
                   {{"provider", "sim-paradigm"}, {"operation", "list"}, {"code", "200"}})
                .value_or(0),
            1);
  EXPECT_GE(metric(after, "workqueue_work_duration_seconds_count").value_or(0), success + 3);
  EXPECT_EQ(metric(after, "controller_runtime_reconcile_errors_total"), 0);

  // promtool's opinion of the exposition.
  write_file(dir_ + "/metrics.txt", after);
  int code = 0;
  std::string verdict = shell(dir_, "promtool check metrics < metrics.txt", &code);
  EXPECT_EQ(code, 0) << verdict;

  // No label value carries a workspace name or the token.
  for (const auto& sample : parse_metrics(after)) {
    for (const auto& [label, v] : sample.labels) {
      for (const char* forbidden : {"alpha", "beta", "gamma", "team-e2e", kToken}) {
        EXPECT_EQ(v.find(forbidden), std::string::npos) << sample.name << " " << label << "=" << v;
      }
    }
  }

  // The status API is `wsctl get -o json` over the same state store: every
  // namespace, one namespace, one workspace (404 for a missing one).
  std::string api = get("/api/v1/workspaces").body;
  std::string api_ns = get("/api/v1/namespaces/team-e2e/workspaces").body;
  std::string api_one = get("/api/v1/namespaces/team-e2e/workspaces/alpha").body;
  simtest::Reply missing = get("/api/v1/namespaces/team-e2e/workspaces/nope");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(json::parse(missing.body, nullptr, false).value("message", ""),
            "workspace \"team-e2e/nope\" not found")
      << missing.body;
  EXPECT_EQ(get("/api/v1/namespaces/elsewhere/workspaces").body.find("alpha"), std::string::npos);
  EXPECT_EQ(stop_controller(), 0);
  auto cli_json = [&](const std::string& args) {
    int code = 0;
    std::string out = shell(dir_,
                            std::string(WSOP_BINARY_DIR "/cmd/wsctl/wsctl") + " get -o json " +
                                args + " --state " + dir_ + "/state.db",
                            &code);
    EXPECT_EQ(code, 0) << out;
    return json::parse(out, nullptr, false);
  };
  EXPECT_EQ(json::parse(api), cli_json(""));
  EXPECT_EQ(json::parse(api_ns), cli_json("-n team-e2e"));
  json one = cli_json("team-e2e/alpha");
  ASSERT_EQ(one["items"].size(), 1u) << one.dump();
  EXPECT_EQ(json::parse(api_one), one["items"][0]);
}

// SIGTERM while creates are in flight: exit 0 within the grace period, no
// duplicate, and a restart converges. A second signal exits at once, and
// the create journal still prevents duplicates after the restart.
TEST_F(ControllerE2e, SigtermMidRunLeavesNoDuplicate) {
  std::map<std::string, std::string> files = {{"providers.yaml", provider_configs()}};
  std::set<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    std::string name = "w" + std::to_string(i);
    files[name + ".yaml"] = paradigm_ws(name, "d");
    expected.insert("E2E " + name);
  }
  commit(files, "six");
  set_faults("paradigm", {{"latencyMs", 400}});
  start_controller({"--workers", "2", "--shutdown-grace", "10s"});
  ASSERT_TRUE(eventually([&] { return sim_calls("paradigm", "create") >= 1; }, 10s))
      << controller_->err();
  auto signalled = std::chrono::steady_clock::now();
  controller_->signal(SIGTERM);
  auto code = controller_->wait(10s);
  auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_EQ(code, 0) << controller_->err();
  EXPECT_LT(took, 5s);
  EXPECT_NE(controller_->err().find("controller stopped"), std::string::npos) << controller_->err();
  remember_logs();
  controller_.reset();
  for (const auto& [name, descriptions] : by_name("paradigm"))
    EXPECT_EQ(descriptions.size(), 1u) << name;
  EXPECT_LT(by_name("paradigm").size(), expected.size())
      << "the signal came too late to test anything";

  set_faults("paradigm", {{"latencyMs", 0}});
  start_controller();
  auto converged = [&] {
    auto all = by_name("paradigm");
    std::set<std::string> names;
    for (const auto& [name, descriptions] : all) {
      if (descriptions.size() != 1) return false;
      names.insert(name);
    }
    return names == expected;
  };
  ASSERT_TRUE(eventually(converged, 10s)) << controller_->err();
  ASSERT_EQ(stop_controller(), 0);

  // Six more, slower; two signals in a row.
  for (int i = 6; i < 12; ++i) {
    std::string name = "w" + std::to_string(i);
    files[name + ".yaml"] = paradigm_ws(name, "d");
    expected.insert("E2E " + name);
  }
  commit(files, "twelve");
  set_faults("paradigm", {{"latencyMs", 1500}});
  int creates = sim_calls("paradigm", "create");
  start_controller({"--workers", "3", "--shutdown-grace", "30s"});
  ASSERT_TRUE(eventually([&] { return sim_calls("paradigm", "create") > creates; }, 10s))
      << controller_->err();
  signalled = std::chrono::steady_clock::now();
  controller_->signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  controller_->signal(SIGTERM);
  code = controller_->wait(5s);
  took = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_LT(took, 1s);  // not waiting for the 1.5s answers
  EXPECT_NE(controller_->err().find("second signal"), std::string::npos) << controller_->err();
  remember_logs();
  controller_.reset();

  set_faults("paradigm", {{"latencyMs", 0}});
  start_controller();
  ASSERT_TRUE(eventually(converged, 10s)) << controller_->err();
  // And it stays so through a resync.
  std::this_thread::sleep_for(2500ms);
  EXPECT_TRUE(converged());
  EXPECT_EQ(stop_controller(), 0);
}

// Errors are logged (one JSON object a line) with their reason, and the
// token is never printed, even when the provider fails.
TEST_F(ControllerE2e, JsonLogsCarryErrorsButNeverTheToken) {
  commit({{"providers.yaml", provider_configs()}, {"beta.yaml", paradigm_ws("beta", "one")}},
         "one");
  start_controller({"--log-format", "json", "--log-level", "debug"});
  ASSERT_TRUE(eventually([&] { return has("paradigm", "beta", "one"); }, 10s))
      << controller_->err();
  // An update that fails is retried at once when the fault ends (a create
  // answered 5xx would wait out the lost-create window first).
  set_faults("paradigm", {{"errorRate", 1.0}});
  commit({{"beta.yaml", paradigm_ws("beta", "two")}}, "two");
  ASSERT_TRUE(
      eventually([&] { return value("controller_runtime_reconcile_errors_total") >= 1; }, 10s))
      << controller_->err();
  double server_errors = 0;
  for (const auto& sample : parse_metrics(scrape())) {
    if (sample.name == "workspace_operator_provider_requests_total" &&
        sample.labels.at("code")[0] == '5') {
      server_errors += sample.value;
    }
  }
  EXPECT_GE(server_errors, 1);
  set_faults("paradigm", {{"errorRate", 0.0}});
  ASSERT_TRUE(eventually([&] { return has("paradigm", "beta", "two"); }, 30s))
      << controller_->err();
  EXPECT_EQ(stop_controller(), 0);
  std::istringstream lines(all_logs_.back());
  std::string line;
  bool error_line = false, created = false;
  while (std::getline(lines, line)) {
    json parsed = json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(parsed.is_object());
    std::string level = parsed.value("level", "");
    if ((level == "warning" || level == "error") &&
        parsed.value("workspace", "") == "default/beta") {
      error_line = true;
    }
    if (parsed.value("event", "") == "created") created = true;
  }
  EXPECT_TRUE(error_line) << all_logs_.back();
  EXPECT_TRUE(created) << all_logs_.back();
}

// workspace-operator.io/reconcile-requested-at: a new value reconciles that
// workspace now (re-observing it), long before the next resync.
// workspace-operator.io/paused: "true": left alone, drift and deletion too.
TEST_F(ControllerE2e, ReconcileRequestedAtAndPausedAnnotations) {
  commit({{"providers.yaml", provider_configs()},
          {"p1.yaml", paradigm_ws("p1", "one")},
          {"p2.yaml", paradigm_ws("p2", "two")}},
         "initial");
  start_controller({}, "", "5m");
  ASSERT_TRUE(
      eventually([&] { return has("paradigm", "p1", "one") && has("paradigm", "p2", "two"); }, 10s))
      << controller_->err();
  // Let the first reconciles' observations settle, then drift p1.
  std::string p1 = remote_id("paradigm", "p1");
  ASSERT_EQ(client("paradigm")
                .patch("/api/v3/instance/workspaces/" + p1, {{"description", "hacked"}})
                .status,
            200);
  commit({{"p1.yaml",
           paradigm_ws("p1", "one", {{"workspace-operator.io/reconcile-requested-at", "t1"}})}},
         "reconcile p1 now");
  ASSERT_TRUE(eventually([&] { return has("paradigm", "p1", "one"); }, 4s)) << controller_->err();

  // Pause p2, then change and delete it behind the controller's back.
  commit({{"p2.yaml", paradigm_ws("p2", "two", {{"workspace-operator.io/paused", "true"}})}},
         "pause p2");
  std::this_thread::sleep_for(1s);
  std::string p2 = remote_id("paradigm", "p2");
  ASSERT_EQ(client("paradigm")
                .patch("/api/v3/instance/workspaces/" + p2, {{"description", "hacked"}})
                .status,
            200);
  commit({{"p2.yaml", paradigm_ws("p2", "two",
                                  {{"workspace-operator.io/paused", "true"},
                                   {"workspace-operator.io/reconcile-requested-at", "t2"}})}},
         "paused p2: a request changes nothing");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(has("paradigm", "p2", "hacked"));
  ASSERT_EQ(client("paradigm").del("/api/v3/workspaces/" + p2).status / 100, 2);
  commit({{"p2.yaml", paradigm_ws("p2", "two",
                                  {{"workspace-operator.io/paused", "true"},
                                   {"workspace-operator.io/reconcile-requested-at", "t3"}})}},
         "paused p2: not re-created");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(absent("paradigm", "p2"));

  // Unpaused, it is reconciled again.
  commit({{"p2.yaml", paradigm_ws("p2", "two")}}, "unpause p2");
  ASSERT_TRUE(eventually([&] { return has("paradigm", "p2", "two"); }, 4s)) << controller_->err();
  EXPECT_EQ(stop_controller(), 0);
}

}  // namespace
}  // namespace wsop::e2e
