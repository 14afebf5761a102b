// `wsctl controller` stops within --shutdown-grace even when provider calls
// hang: the source watcher's and the resync's lists are stuck past any
// client timeout, and SIGTERM must still end the process in time, cleanly.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>

#include "tests/controller_e2e/controller_harness.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

class ControllerShutdown : public simtest::SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    char pattern[] = "/tmp/wsop-controller-shutdown-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ + "/source");
  }
  void TearDown() override {
    if (!HasFailure())
      fs::remove_all(dir_);
    else
      std::cerr << "kept " << dir_ << " for inspection\n";
  }

  // Hung requests of the paradigm provider: how many the simulator saw.
  int hangs() {
    json stats = client("paradigm").get("/_sim/stats").json();
    int total = 0;
    if (!stats.contains("calls")) return 0;
    for (const auto& [operation, outcomes] : stats["calls"].items()) {
      if (outcomes.contains("hang")) total += outcomes["hang"].get<int>();
    }
    return total;
  }

  // A controller whose every paradigm request hangs, once its watcher's
  // list hangs and a resync (1s) has joined it.
  std::unique_ptr<Process> start_hanging(const std::string& grace) {
    // A request timeout far past the grace: each list is 5 attempts of 30s.
    write_file(dir_ + "/source/providers.yaml",
               "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
               "metadata: {name: sim-paradigm}\nspec:\n  type: paradigm\n  baseUrl: " +
                   sim_->url("paradigm") +
                   "\n  credentials: {env: E2E_TOKEN}\n  timeouts: {connect: 5s, request: 30s}\n");
    write_file(dir_ + "/source/beta.yaml",
               "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
               "  name: beta\nspec:\n  providerConfigRef: {name: sim-paradigm}\n"
               "  displayName: E2E beta\n  paradigm: {companyId: 1}\n");
    EXPECT_EQ(client("paradigm").put("/_sim/faults", {{"hangRate", 1}}).status, 200);
    auto controller = std::make_unique<Process>(
        std::vector<std::string>{WSOP_BINARY_DIR "/cmd/wsctl/wsctl", "controller", "--source",
                                 dir_ + "/source", "--state", dir_ + "/state.db", "--metrics-addr",
                                 "127.0.0.1:" + std::to_string(free_port()), "--resync", "1s",
                                 "--shutdown-grace", grace, "--instance-id", "e2e"},
        std::map<std::string, std::string>{{"E2E_TOKEN", "tok-shutdown"}},
        dir_ + "/controller-" + grace);
    EXPECT_TRUE(eventually([&] { return hangs() >= 1; }, 10s)) << controller->err();
    std::this_thread::sleep_for(1500ms);
    return controller;
  }

  std::string dir_;
};

TEST_F(ControllerShutdown, HangingListsDoNotOutlastTheGracePeriod) {
  auto controller = start_hanging("2s");
  ASSERT_TRUE(controller->running()) << controller->err();
  auto signalled = std::chrono::steady_clock::now();
  controller->signal(SIGTERM);
  // Grace 2s, a 1s margin for interrupted calls, and the test's slack.
  auto code = controller->wait(5s);
  auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(code.has_value()) << "still running 5s after SIGTERM\n" << controller->err();
  EXPECT_EQ(*code, 0) << controller->err();
  EXPECT_GE(took, 1900ms) << "did not wait for the grace period";
  EXPECT_NE(controller->err().find("shutdown grace period over"), std::string::npos)
      << controller->err();
}

// A second signal still ends the process at once, not at the grace's end.
TEST_F(ControllerShutdown, SecondSignalExitsAtOnceWhileListsHang) {
  auto controller = start_hanging("30s");
  ASSERT_TRUE(controller->running()) << controller->err();
  auto signalled = std::chrono::steady_clock::now();
  controller->signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  controller->signal(SIGTERM);
  auto code = controller->wait(5s);
  ASSERT_TRUE(code.has_value()) << controller->err();
  EXPECT_NE(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 1s);
  EXPECT_NE(controller->err().find("second signal"), std::string::npos) << controller->err();
}

}  // namespace
}  // namespace wsop::e2e
