// The provider-sim binary as scripts and tests use it (ARCHITECTURE.md
// section 9): one JSON line of base URLs on stdout, serve until SIGTERM or
// SIGINT, exit 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>

#include "tests/common/http/test_client.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

const char* kBinary = WSOP_BINARY_DIR "/cmd/provider-sim/provider-sim";

// A provider-sim child process, killed on destruction if still running.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv{const_cast<char*>(kBinary)};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kBinary, argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
  }
  ~SimProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // The first line of stdout, waiting at most `timeout_ms`.
  std::string read_line(int timeout_ms = 10000) {
    std::string line;
    char c;
    while (line.empty() || line.back() != '\n') {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0 || read(out_, &c, 1) != 1) break;
      line += c;
    }
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }

  // Sends `sig` and returns the exit status (-1 if it did not exit normally in time).
  int stop(int sig) {
    kill(pid_, sig);
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(10'000);
    }
    return -1;
  }

  int wait_exit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
};

TEST(ProviderSimBinaryTest, NoArgumentsServesTheThreeApisUntilSigterm) {
  SimProcess sim({});
  std::string line = sim.read_line();
  ASSERT_TRUE(std::regex_match(
      line,
      std::regex(
          R"(\{"paradigm":"http://127\.0\.0\.1:\d+","cadenya":"http://127\.0\.0\.1:\d+","aether":"http://127\.0\.0\.1:\d+"\})")))
      << line;
  json urls = json::parse(line);
  Client paradigm(urls["paradigm"], "any-token");
  EXPECT_EQ(
      paradigm.post("/api/v3/instance/workspaces", {{"name", "demo"}, {"company_id", 1}}).status,
      201);
  Client cadenya(urls["cadenya"], "any-token");
  EXPECT_EQ(cadenya.post("/v1/account/workspaces", {{"metadata", {{"name", "demo"}}}}).status, 200);
  Client aether(urls["aether"], "any-token");
  EXPECT_EQ(aether.post("/projects/00000000-0000-4000-8000-000000000001/workspaces", json::object())
                .status,
            201);
  EXPECT_EQ(aether.get("/_sim/state").json()["workspaces"].size(), 1u);
  EXPECT_EQ(sim.stop(SIGTERM), 0);
}

TEST(ProviderSimBinaryTest, ConfigFileAndFlagsOverrideTheDefaults) {
  std::string path = ::testing::TempDir() + "provider-sim-test.yaml";
  std::ofstream(path) << "tokens: [secret]\n"
                         "paradigm: {companies: [{id: 5, name: Acme}]}\n"
                         "cadenya: {adminTokens: [secret]}\n"
                         "faults: {latencyMs: 0}\n";
  SimProcess sim({"--config", path, "--aether-project", "11111111-1111-4111-8111-111111111111",
                  "--aether-creating-delay", "0s", "--aether-starting-delay", "0s",
                  "--cadenya-listen", "127.0.0.1:0"});
  std::string line = sim.read_line();
  ASSERT_FALSE(line.empty());
  json urls = json::parse(line);
  Client wrong(urls["paradigm"], "guess");
  EXPECT_EQ(wrong.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 5}})
                .json()["detail"],
            "Invalid token.");
  Client paradigm(urls["paradigm"], "secret");
  EXPECT_EQ(paradigm.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 5}}).status,
            201);
  EXPECT_EQ(paradigm.post("/api/v3/instance/workspaces", {{"name", "a"}, {"company_id", 1}}).status,
            400);
  Client aether(urls["aether"], "secret");
  Reply created =
      aether.post("/projects/11111111-1111-4111-8111-111111111111/workspaces", json::object());
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(aether.get("/workspaces/" + created.json()["id"].get<std::string>()).json()["status"],
            "running");
  EXPECT_EQ(aether.post("/projects/00000000-0000-4000-8000-000000000001/workspaces", json::object())
                .status,
            404);
  EXPECT_EQ(sim.stop(SIGINT), 0);
  std::remove(path.c_str());
}

TEST(ProviderSimBinaryTest, TokenAndDefaultHardwareFlagsReachTheSimulators) {
  SimProcess sim({"--token", "t1", "--paradigm-company", "1", "--paradigm-company", "2=Beta",
                  "--paradigm-token", "t2=2", "--paradigm-readonly-token", "ro",
                  "--aether-default-hardware", "cpu_kind=performance,cpus=4"});
  std::string line = sim.read_line();
  ASSERT_FALSE(line.empty());
  json urls = json::parse(line);
  Client t2(urls["paradigm"], "t2");
  EXPECT_EQ(t2.post("/api/v3/instance/workspaces", {{"name", "b"}, {"company_id", 2}}).status, 201);
  EXPECT_EQ(t2.get("/api/v3/company/workspaces").json()["count"], 1);
  EXPECT_EQ(Client(urls["paradigm"], "t1").get("/api/v3/company/workspaces").json()["count"], 0);
  Client ro(urls["paradigm"], "ro");
  EXPECT_EQ(ro.post("/api/v3/instance/workspaces", {{"name", "c"}, {"company_id", 1}}).status, 403);
  Client aether(urls["aether"], "t1");
  json hw = aether.post("/projects/00000000-0000-4000-8000-000000000001/workspaces", json::object())
                .json()["hardware"];
  EXPECT_EQ(hw["cpu_kind"], "performance");
  EXPECT_EQ(hw["cpus"], 4);
  EXPECT_EQ(hw["memory_mb"], 2048);
  EXPECT_EQ(sim.stop(SIGTERM), 0);
}

TEST(ProviderSimBinaryTest, BadUsageExits2) {
  SimProcess unknown({"--no-such-flag"});
  EXPECT_EQ(unknown.wait_exit(), 2);
  SimProcess bad_faults({"--faults", "{\"errorRate\": 7}"});
  EXPECT_EQ(bad_faults.wait_exit(), 2);
  SimProcess bad_config({"--config", "/nonexistent/provider-sim.yaml"});
  EXPECT_EQ(bad_config.wait_exit(), 2);
  SimProcess bad_hardware({"--aether-default-hardware", "cpus=4,colour=red"});
  EXPECT_EQ(bad_hardware.wait_exit(), 2);
}

}  // namespace
}  // namespace wsop::simtest
