// Secrets hygiene end to end: distinctive tokens for the three providers (one
// from an environment variable, two from files), one the simulator rejects
// (401) and one sent to an API that quotes it back in its 401 body; the
// whole CLI flow and a controller run through creates, a failure period and
// recovery. Then no token, nor its random middle, may appear in anything
// captured: stdout, stderr, log files, /metrics, the status API, the other
// endpoints, the state store's bytes (db, -wal, -shm).
#include <gmock/gmock.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "common/http/server.h"
#include "tests/controller_e2e/controller_harness.h"
#include "tests/e2e/cli_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kParadigmToken = "tok-PARADIGM-7Hq2Vx9Lm4Rt-secret";  // env
constexpr const char* kCadenyaToken = "tok-CADENYA-K8wP3nZq5Yd1-secret";    // file
constexpr const char* kAetherToken = "tok-AETHER-R2jM6cXv0Bs8-secret";      // file
constexpr const char* kRejectedToken = "tok-REJECTED-Z5gN1kWq7Hf3-secret";  // env, 401
constexpr const char* kEchoedToken = "tok-ECHOED-Pq4Tz8Lw2Nc6-secret";      // env, quoted back

// Each token and its random middle ("tok-NAME-<middle>-secret"): a
// truncated or half-masked token is a leak too.
std::vector<std::string> needles() {
  std::vector<std::string> all;
  for (std::string token :
       {kParadigmToken, kCadenyaToken, kAetherToken, kRejectedToken, kEchoedToken}) {
    size_t from = token.find('-', 4) + 1;
    all.push_back(token);
    all.push_back(token.substr(from, token.rfind('-') - from));
  }
  return all;
}

// The status ("True"/"False") of a condition of a status item.
std::string condition(const json& item, const std::string& type) {
  json status = item.value("status", json::object());
  for (const auto& c : status.value("conditions", json::array())) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

json find_item(const json& list, const std::string& name) {
  for (const auto& item : list.value("items", json::array())) {
    if (item["metadata"].value("name", "") == name) return item;
  }
  return nullptr;
}

class SecretsE2e : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (HasFatalFailure()) return;
    sim::SimConfig config = e2e_config();
    config.at("paradigm").auth.tokens = {kParadigmToken};
    config.at("cadenya").auth.tokens = {kCadenyaToken};
    config.at("aether").auth.tokens = {kAetherToken};
    restart(std::move(config));
    ::setenv("WSOP_SECRET_PARADIGM_TOKEN", kParadigmToken, 1);
    ::setenv("WSOP_SECRET_REJECTED_TOKEN", kRejectedToken, 1);
    ::setenv("WSOP_SECRET_ECHOED_TOKEN", kEchoedToken, 1);
    // An API that quotes the key it refuses, in its 401 body.
    echo_ = std::make_unique<http::Server>(http::ServerOptions{}, [this](const http::Request& r) {
      ++echo_requests_;
      http::Response response;
      response.status = 401;
      response.body =
          nlohmann::json{{"detail", "key rejected: " + r.header("authorization").value_or("none")}}
              .dump();
      return response;
    });
    ASSERT_TRUE(echo_->start().is_ok());
    fs::create_directories(secrets());
    write_file(secrets() + "/cadenya.token", std::string(kCadenyaToken) + "\n");
    write_file(secrets() + "/aether.token", kAetherToken);  // no final newline
    write("providers.yaml",
          provider_config("paradigm", "paradigm", "{env: WSOP_SECRET_PARADIGM_TOKEN}") +
              provider_config("cadenya", "cadenya", "{file: " + secrets() + "/cadenya.token}") +
              provider_config("aether", "aether", "{file: " + secrets() + "/aether.token}"));
    write_workspaces("v1");
  }

  void TearDown() override {
    controller_.reset();  // SIGKILLs one still running
    ::unsetenv("WSOP_SECRET_PARADIGM_TOKEN");
    ::unsetenv("WSOP_SECRET_REJECTED_TOKEN");
    ::unsetenv("WSOP_SECRET_ECHOED_TOKEN");
    echo_.reset();
    CliTest::TearDown();
  }

  std::string secrets() const { return dir() + "/secrets"; }

  std::string provider_config(const std::string& name, const std::string& type,
                              const std::string& credentials) {
    std::string url = name == "echo" ? echo_->url() : sim_->url(type);
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: " +
           name + "}\nspec:\n  type: " + type + "\n  baseUrl: " + url +
           "\n  credentials: " + credentials +
           "\n  rateLimit: {qps: 200, burst: 200}\n  timeouts: {connect: 2s, request: 3s}\n---\n";
  }

  void write_workspaces(const std::string& description) {
    write("ledger.yaml",
          workspace_yaml("ledger", "paradigm",
                         "  description: " + description + "\n" + default_spec("paradigm")));
    write("support.yaml",
          workspace_yaml("support", "cadenya", "  description: " + description + "\n"));
    write("sandbox.yaml", workspace_yaml("sandbox", "aether", default_spec("aether")));
  }

  // A ProviderConfig whose token the simulator refuses, one on the API that
  // quotes it back, and a workspace on each.
  void write_rejected() {
    write("rejected.yaml",
          provider_config("paradigm-rejected", "paradigm", "{env: WSOP_SECRET_REJECTED_TOKEN}") +
              workspace_yaml("locked-out", "paradigm-rejected", default_spec("paradigm")) +
              "---\n" + provider_config("echo", "paradigm", "{env: WSOP_SECRET_ECHOED_TOKEN}") +
              workspace_yaml("echoed", "echo", default_spec("paradigm")));
  }

  void capture(const std::string& where, const std::string& bytes) {
    captured_.emplace_back(where, bytes);
  }

  // The token files are read only from a directory the operator names.
  RunResult run(std::vector<std::string> args) {
    std::string label = "wsctl";
    for (const auto& a : args) label += " " + a;
    if (args[0] != "get") args.insert(args.end(), {"--credentials-dir", secrets()});
    RunResult r = wsctl(std::move(args));
    capture(label + " (stdout)", r.out);
    capture(label + " (stderr)", r.err);
    return r;
  }

  bool one_live_each() {
    for (const auto& p : all_providers()) {
      if (remote_live(p).size() != 1) return false;
    }
    return true;
  }

  // The description of the provider's single live workspace.
  std::string remote_description(const std::string& provider) {
    json live = remote_live(provider);
    if (live.size() != 1) return "";
    const json& w = live[0];
    return w.contains("spec") ? w["spec"].value("description", "") : w.value("description", "");
  }

  // Every file under the test directory but the token files, and everything
  // captured in memory: no needle anywhere.
  void expect_no_token_anywhere(const std::string& when) {
    auto corpus = captured_;
    std::string state;
    for (const auto& entry : fs::recursive_directory_iterator(dir())) {
      if (!entry.is_regular_file() || entry.path().parent_path() == secrets()) continue;
      corpus.emplace_back(entry.path().string(), read_file(entry.path().string()));
      std::string name = entry.path().filename().string();
      if (name.rfind("state.db", 0) == 0) {
        state_files_.insert(name);
        state += corpus.back().second;
      }
    }
    size_t bytes = 0;
    std::vector<std::string> all_needles = needles();
    all_needles.insert(all_needles.end(), extra_needles_.begin(), extra_needles_.end());
    for (const auto& [where, content] : corpus) {
      bytes += content.size();
      for (const auto& needle : all_needles) {
        EXPECT_EQ(content.find(needle), std::string::npos)
            << when << ": token bytes \"" << needle << "\" in " << where;
      }
    }
    EXPECT_GT(bytes, 10000u) << when << ": suspiciously little was scanned";
    EXPECT_THAT(state, HasSubstr("ledger")) << when << ": the state store holds no workspace";
  }

  // The controller on the test's source and state, most verbose logging.
  void start_controller(const std::string& format) {
    port_ = free_port();
    std::vector<std::string> args = {
        wsctl_path(),        "controller", "--source",       source(),
        "--state",           state_path(), "--metrics-addr", "127.0.0.1:" + std::to_string(port_),
        "--resync",          "1s",         "--source-poll",  "200ms",
        "--log-format",      format,       "--log-level",    "trace",
        "--credentials-dir", secrets()};
    controller_ = std::make_unique<Process>(args, std::map<std::string, std::string>{},
                                            dir() + "/controller-" + format);
    ASSERT_TRUE(eventually([&] { return endpoint("/healthz").status == 200; }, 10s))
        << controller_->err();
  }

  std::optional<int> stop_controller() {
    controller_->signal(SIGTERM);
    auto code = controller_->wait(20s);
    capture("controller stdout", controller_->out());
    capture("controller stderr", controller_->err());
    return code;
  }

  simtest::Reply endpoint(const std::string& path) {
    simtest::Client client("http://127.0.0.1:" + std::to_string(port_), "");
    client.set_timeout(2s);
    simtest::Reply reply = client.get(path);
    std::string headers;
    for (const auto& [k, v] : reply.headers) headers += k + ": " + v + "\n";
    capture("GET " + path, headers + reply.body);
    return reply;
  }

  // Every endpoint the controller serves (and a 404), captured.
  json scrape_all() {
    EXPECT_EQ(endpoint("/healthz").status, 200);
    endpoint("/readyz");
    endpoint("/no-such-path");
    simtest::Reply metrics = endpoint("/metrics");
    EXPECT_EQ(metrics.status, 200);
    last_metrics_ = metrics.body;
    simtest::Reply api = endpoint("/api/v1/workspaces");
    EXPECT_EQ(api.status, 200);
    json list = api.json();
    return list.is_object() ? list : json::object();
  }

  // The items of `wsctl get -o json`.
  json get_list() {
    RunResult r = run({"get", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json list = json::parse(r.out, nullptr, false);
    return list.is_object() ? list : json::object();
  }

  // The JSON log lines of the controller's stderr (every line must be one).
  std::vector<json> json_logs() {
    std::vector<json> lines;
    std::istringstream in(controller_->err());
    for (std::string line; std::getline(in, line);) {
      json parsed = json::parse(line, nullptr, false);
      EXPECT_TRUE(parsed.is_object()) << "not a JSON log line: " << line;
      if (parsed.is_object()) lines.push_back(parsed);
    }
    return lines;
  }

  // Some JSON log line has all of `fields` and contains `text`.
  bool logged(const std::map<std::string, std::string>& fields, const std::string& text = "") {
    for (const auto& line : json_logs()) {
      bool match = line.dump().find(text) != std::string::npos;
      for (const auto& [k, v] : fields) match = match && line.value(k, "") == v;
      if (match) return true;
    }
    return false;
  }

  bool all_ready(const json& list) {
    for (const char* name : {"ledger", "support", "sandbox"}) {
      json item = find_item(list, name);
      if (item.is_null() || condition(item, "Ready") != "True" ||
          condition(item, "Synced") != "True")
        return false;
    }
    return true;
  }

  int sim_401s(const std::string& provider) {
    int total = 0;
    json all = stats(provider);
    for (const auto& [operation, outcomes] : all.items()) total += outcomes.value("401", 0);
    return total;
  }

  // Cadenya answers 5xx only while the workspaces change: the failure is
  // logged and counted, the others go on; then it answers again.
  void failure_period_and_recovery() {
    set_faults("cadenya", {{"errorRate", 1.0}});
    write_workspaces("v2");
    ASSERT_TRUE(eventually(
        [&] {
          return logged({{"level", "warning"}, {"providerConfig", "cadenya"}},
                        "injected server error");
        },
        15s))
        << controller_->err();
    scrape_all();
    double errors = 0;
    for (const char* code : {"500", "502", "503"}) {
      errors += metric(last_metrics_, "workspace_operator_provider_requests_total",
                       {{"provider", "cadenya"}, {"code", code}})
                    .value_or(0);
    }
    EXPECT_GT(errors, 0) << last_metrics_;
    EXPECT_TRUE(eventually([&] { return remote_description("paradigm") == "v2"; }, 15s));
    expect_no_token_anywhere("during the failure period");  // state.db-wal is open now

    // Recovery.
    set_faults("cadenya", {{"errorRate", 0.0}});
    ASSERT_TRUE(eventually([&] { return remote_description("cadenya") == "v2"; }, 20s))
        << controller_->err();
  }

  std::vector<std::pair<std::string, std::string>> captured_;
  std::unique_ptr<Process> controller_;
  std::unique_ptr<http::Server> echo_;
  std::atomic<int> echo_requests_{0};
  int port_ = 0;
  std::set<std::string> state_files_;  // names of the state store's files seen
  // Credentials met during the test (Aether's preview tokens), searched
  // for beside the tokens.
  std::vector<std::string> extra_needles_;
  std::string last_metrics_;
};

TEST_F(SecretsE2e, CliNeverPrintsNorStoresATokenTest) {
  RunResult r = run({"validate", "-f", source()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run({"validate", "-f", source(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("WSOP_SECRET_PARADIGM_TOKEN"));  // where the token is, not the token
  r = run({"diff", "-f", source()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ledger"));
  EXPECT_EQ(run({"diff", "-f", source(), "-o", "json"}).exit_code, 1);
  EXPECT_EQ(run({"diff", "-f", source(), "-o", "markdown"}).exit_code, 1);
  EXPECT_EQ(run({"apply", "-f", source(), "--dry-run"}).exit_code, 0);
  r = run({"apply", "-f", source(), "--wait", "--timeout", "20s"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(one_live_each());
  EXPECT_EQ(run({"diff", "-f", source()}).exit_code, 0);
  for (const char* format : {"wide", "yaml"}) EXPECT_EQ(run({"get", "-o", format}).exit_code, 0);
  EXPECT_TRUE(all_ready(get_list()));

  // Server errors only from Cadenya: its update fails, the others go on.
  set_faults("cadenya", {{"errorRate", 1.0}});
  write_workspaces("v2");
  // (Each attempt retries for ~3 s, the failing list included; --timeout
  // bounds the whole run, so it leaves room for one failed update.)
  r = run({"apply", "-f", source(), "--wait", "--timeout", "8s"});
  set_faults("cadenya", {{"errorRate", 0.0}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("failed default/support"));
  EXPECT_THAT(r.err, HasSubstr("injected server error"));
  EXPECT_EQ(remote_description("paradigm"), "v2");
  EXPECT_EQ(remote_description("cadenya"), "v1");
  EXPECT_EQ(condition(find_item(get_list(), "support"), "Synced"), "False");

  // A token the simulator refuses and one an API quotes back: 401s, each
  // reported once as a ProviderConfig that cannot be used, its workspace
  // skipped and nothing recorded for it.
  write_rejected();
  r = run({"apply", "-f", source()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("ProviderConfig \"paradigm-rejected\" cannot be used"));
  EXPECT_THAT(r.err, HasSubstr("HTTP 401"));
  EXPECT_THAT(r.err, HasSubstr("ProviderConfig \"echo\" cannot be used"));
  EXPECT_THAT(r.err, HasSubstr("key rejected"));  // the body, minus the key
  EXPECT_THAT(r.out, HasSubstr("skipped 2"));
  EXPECT_GE(sim_401s("paradigm"), 1) << stats("paradigm").dump();
  EXPECT_EQ(remote_live("paradigm").size(), 1u);
  json list = get_list();
  EXPECT_TRUE(find_item(list, "locked-out").is_null()) << list.dump();
  EXPECT_EQ(condition(find_item(list, "support"), "Synced"), "True") << list.dump();
  EXPECT_EQ(run({"get", "-o", "yaml"}).exit_code, 0);
  // The pull request plan of a set whose tokens are refused or quoted back.
  EXPECT_NE(run({"diff", "-f", source(), "-o", "markdown"}).exit_code, 0);
  EXPECT_NE(run({"diff", "-f", source(), "-o", "json"}).exit_code, 0);
  expect_no_token_anywhere("after the CLI flow");
}

TEST_F(SecretsE2e, ControllerNeverLogsNorServesATokenTest) {
  write_rejected();
  start_controller("json");
  ASSERT_TRUE(eventually([&] { return one_live_each(); }, 10s)) << controller_->err();
  ASSERT_TRUE(eventually([&] { return all_ready(scrape_all()); }, 10s)) << controller_->err();
  for (const char* name : {"ledger", "support", "sandbox"}) {
    EXPECT_TRUE(logged({{"workspace", std::string("default/") + name}, {"event", "created"}}));
  }
  ASSERT_TRUE(eventually(
      [&] {
        return logged({{"workspace", "default/locked-out"}, {"event", "failed"}}, "HTTP 401");
      },
      10s))
      << controller_->err();
  EXPECT_GE(sim_401s("paradigm"), 1);
  EXPECT_TRUE(eventually([&] {
    return logged({{"workspace", "default/echoed"}, {"event", "failed"}}, "key rejected");
  })) << controller_->err();

  ASSERT_NO_FATAL_FAILURE(failure_period_and_recovery());
  EXPECT_TRUE(eventually([&] { return all_ready(scrape_all()); }, 10s));
  EXPECT_EQ(stop_controller(), 0);

  // Once more with text logs: a restart on the same state.
  start_controller("text");
  EXPECT_TRUE(eventually([&] { return endpoint("/readyz").status == 200; }, 10s));
  EXPECT_TRUE(all_ready(scrape_all()));
  EXPECT_EQ(stop_controller(), 0);
  EXPECT_THAT(read_file(dir() + "/controller-text.err"), HasSubstr("controller started"));
  EXPECT_TRUE(state_files_.count("state.db") && state_files_.count("state.db-wal"))
      << "the state store's files were not all scanned";
  expect_no_token_anywhere("after the controller runs");
}

// Aether's machine_id and private_ip are what people want to see: the status
// API shows them as get does. Its preview_token is a credential: read by
// nothing, so no log line (at trace level), endpoint or state store byte
// holds it.
TEST_F(SecretsE2e, ControllerShowsAetherFactsButNeverThePreviewTokenTest) {
  start_controller("json");
  ASSERT_TRUE(eventually([&] { return one_live_each(); }, 10s)) << controller_->err();
  ASSERT_TRUE(eventually([&] { return all_ready(scrape_all()); }, 10s)) << controller_->err();
  json box = remote_live("aether")[0];
  ASSERT_TRUE(box["machine_id"].is_string() && box["private_ip"].is_string()) << box.dump();
  std::string preview = box.value("preview_token", "");
  ASSERT_GE(preview.size(), 16u) << box.dump();
  extra_needles_ = {preview};
  json facts = find_item(scrape_all(), "sandbox")["status"]["observed"]["atProvider"];
  EXPECT_EQ(facts.value("machineId", ""), box["machine_id"]) << facts.dump();
  EXPECT_EQ(facts.value("privateIp", ""), box["private_ip"]) << facts.dump();
  json namespaced = endpoint("/api/v1/namespaces/default/workspaces/sandbox").json();
  EXPECT_EQ(namespaced["status"]["observed"]["atProvider"], facts) << namespaced.dump();
  EXPECT_EQ(stop_controller(), 0);
  // What was observed is stored (so the search below can fail), the token not.
  EXPECT_THAT(read_file(state_path()) + read_file(state_path() + "-wal"),
              HasSubstr(box["machine_id"].get<std::string>()));
  expect_no_token_anywhere("after the controller observed Aether");
}

// A revision whose ProviderConfig sends /proc/self/environ (every token of
// the controller) to its own baseUrl: refused with the field's position in
// the log, the last good revision kept, and not one request sent there.
TEST_F(SecretsE2e, ControllerRefusesACredentialOutsideItsDirectoriesTest) {
  start_controller("json");
  ASSERT_TRUE(eventually([&] { return one_live_each(); }, 10s)) << controller_->err();
  write("evil.yaml", provider_config("echo", "paradigm", "{file: /proc/self/environ}") +
                         workspace_yaml("loot", "echo", default_spec("paradigm")));
  ASSERT_TRUE(eventually(
      [&] {
        return logged({},
                      "evil.yaml:7:23: spec.credentials.file: credentials file "
                      "/proc/self/environ");
      },
      10s))
      << controller_->err();
  EXPECT_TRUE(logged({}, "source revision is invalid; keeping the last good one"));
  // Two more resyncs (1s each) on the last good revision.
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(echo_requests_.load(), 0) << "a request reached the manifest's baseUrl";
  EXPECT_TRUE(one_live_each());
  EXPECT_EQ(stop_controller(), 0);
  expect_no_token_anywhere("after a refused credential");
}

}  // namespace
}  // namespace wsop::e2e
