#include "tests/e2e/cli_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace wsop::e2e {

sim::SimConfig e2e_config() {
  sim::SimConfig config = simtest::test_config();
  sim::paradigm::options_of(config).companies.push_back({2, "Second Company"});
  sim::aether::options_of(config).projects.push_back(kProject2);
  return config;
}

void CliTest::SetUp() {
  char pattern[] = "/tmp/wsop-e2e-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
  std::filesystem::create_directories(source());
  setenv(kTokenEnv, "e2e-token", 1);  // inherited by every wsctl child
  restart(e2e_config());
}

void CliTest::TearDown() {
  if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  if (HasFailure()) std::cerr << "kept the test directory " << dir_ << "\n";
}

void CliTest::restart(sim::SimConfig config) {
  start(std::move(config));
  write_provider_configs();
}

void CliTest::write_provider_configs() {
  std::string yaml;
  for (const auto& provider : all_providers()) {
    yaml += "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: " +
            provider + "}\nspec:\n  type: " + provider + "\n  baseUrl: " + sim_->url(provider) +
            "\n  credentials: {env: " + kTokenEnv +
            "}\n  rateLimit: {qps: 200, burst: 200}\n"
            "  timeouts: {connect: 2s, request: 3s}\n" +
            (provider == "paradigm" ? "  paradigm: {companyId: 1}\n" : "") + "---\n";
  }
  write("providers.yaml", yaml);
}

void CliTest::write(const std::string& file, const std::string& yaml) {
  std::ofstream out(source() + "/" + file, std::ios::trunc);
  out << yaml;
  ASSERT_TRUE(out.good()) << file;
}

void CliTest::remove(const std::string& file) {
  std::filesystem::remove(source() + "/" + file);
}

RunResult CliTest::wsctl(std::vector<std::string> args) {
  if (!args.empty() && args[0] != "validate" && args[0] != "version") {
    args.push_back("--state");
    args.push_back(state_path());
  }
  return run_program(wsctl_path(), args, dir_);
}

RunResult CliTest::on_source(const std::string& command, std::vector<std::string> args) {
  std::vector<std::string> full = {command, "-f", source()};
  full.insert(full.end(), args.begin(), args.end());
  return wsctl(std::move(full));
}

json CliTest::get_items() {
  RunResult r = wsctl({"get", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json parsed = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << r.out;
  if (parsed.is_discarded() || !parsed.contains("items")) return json::array();
  return parsed["items"];
}

json CliTest::get_item(const std::string& name, const std::string& ns) {
  for (const auto& item : get_items()) {
    if (item["metadata"]["name"] == name && item["metadata"]["namespace"] == ns) return item;
  }
  return nullptr;
}

json CliTest::stats(const std::string& provider) {
  json body = client(provider).get("/_sim/stats").json();
  return body.is_object() && body.contains("calls") ? body["calls"] : json::object();
}

int CliTest::calls(const std::string& provider, const std::string& operation) {
  json all = stats(provider);
  int total = 0;
  if (all.contains(operation)) {
    for (const auto& [outcome, count] : all[operation].items()) total += count.get<int>();
  }
  return total;
}

int CliTest::writes(const std::string& provider) {
  json all = stats(provider);
  int total = 0;
  for (const char* op : {"create", "update", "delete", "start", "stop"}) {
    if (!all.contains(op)) continue;
    for (const auto& [outcome, count] : all[op].items()) total += count.get<int>();
  }
  return total;
}

json CliTest::remote_all(const std::string& provider) {
  json body = client(provider).get("/_sim/state").json();
  return body.is_object() && body.contains("workspaces") ? body["workspaces"] : json::array();
}

json CliTest::remote_live(const std::string& provider) {
  json live = json::array();
  for (const auto& w : remote_all(provider)) {
    if (!w.value("deleted", false)) live.push_back(w);
  }
  return live;
}

std::string id_string(const json& id) {
  return id.is_string() ? id.get<std::string>() : id.dump();
}

static std::string id_of(const std::string& provider, const json& w) {
  return id_string(provider == "cadenya" ? w["metadata"]["id"] : w["id"]);
}

json CliTest::remote(const std::string& provider, const std::string& id) {
  for (const auto& w : remote_all(provider)) {
    if (id_of(provider, w) == id) return w;
  }
  return nullptr;
}

void CliTest::set_faults(const std::string& provider, const json& faults) {
  auto reply = client(provider).put("/_sim/faults", faults);
  ASSERT_EQ(reply.status, 200) << reply.body;
}

std::string CliTest::create_direct(const std::string& provider, const std::string& name) {
  simtest::Client api = client(provider);
  simtest::Reply reply;
  if (provider == "paradigm") {
    reply = api.post("/api/v3/instance/workspaces", {{"name", name}, {"company_id", 1}});
  } else if (provider == "cadenya") {
    reply = api.post("/v1/account/workspaces",
                     {{"metadata", {{"name", name}}}, {"spec", json::object()}});
  } else {
    reply = api.post(std::string("/projects/") + simtest::kProject + "/workspaces",
                     {{"hardware", {{"cpu_kind", "shared"}, {"cpus", 2}, {"memory_mb", 2048}}}});
  }
  EXPECT_EQ(reply.status / 100, 2) << reply.body;
  json body = reply.json();
  if (!body.is_object()) return "";
  return id_of(provider, body);
}

std::string workspace_yaml(const std::string& name, const std::string& provider_config,
                           const std::string& spec, const std::string& metadata_extra) {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: " + name +
         "\n  namespace: default\n" + metadata_extra +
         "spec:\n  providerConfigRef: {name: " + provider_config + "}\n" + spec;
}

std::string provider_config_yaml(const std::string& name, const std::string& type,
                                 const std::string& base_url) {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: " +
         name + "}\nspec:\n  type: " + type + "\n  baseUrl: " + base_url +
         "\n  credentials: {env: " + kTokenEnv +
         "}\n  rateLimit: {qps: 200, burst: 200}\n  timeouts: {connect: 2s, request: 3s}\n" +
         (type == "paradigm" ? "  paradigm: {companyId: 1}\n" : "");
}

std::string unreachable_url() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 1;  // nothing listens on tcpmux either, should bind fail
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) close(fd);
  return "http://127.0.0.1:" + std::to_string(port);
}

std::string default_spec(const std::string& provider) {
  if (provider == "paradigm") return "  paradigm: {companyId: 1, documentUploadMethod: manual}\n";
  if (provider == "aether") {
    return std::string("  hardware: {cpuKind: shared, cpus: 2, memoryMb: 2048}\n") +
           "  aether: {projectId: " + simtest::kProject + "}\n";
  }
  return "";
}

}  // namespace wsop::e2e
