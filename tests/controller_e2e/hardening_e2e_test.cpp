// `wsctl controller` against hostile clients of its metrics port and
// hostile sources (docs/OPERATIONS.md, "Health, limits and slow clients"):
//   - 1,000 slowloris connections cost neither /healthz answers nor
//     reconciles, and do not hold 1,000 descriptors;
//   - 300 silent connections against a 64-descriptor limit do not put the
//     accept loop into a busy loop;
//   - a source with a symlink loop (two links to ".") is reported, never
//     walked forever: validate, diff and apply exit 2, the controller stays
//     unready with the reason, or keeps its last good revision, and a
//     SIGTERM ends it at once with its memory flat across failing loads;
//   - a loop stuck in one turn makes /healthz answer 503.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "tests/controller_e2e/controller_harness.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True once the peer closed (EOF or reset); data it sent is discarded.
bool closed_by_peer(int fd) {
  char buffer[512];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) return true;
  }
}

class Connections {
 public:
  ~Connections() { close_all(); }
  void add(int fd) { fds_.push_back(fd); }
  void close_all() {
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }
  std::vector<int>& fds() { return fds_; }

 private:
  std::vector<int> fds_;
};

class ControllerHardening : public simtest::SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    char pattern[] = "/tmp/wsop-controller-hardening-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    source_ = dir_ + "/source";
    fs::create_directories(source_);
    port_ = free_port();
  }
  void TearDown() override {
    if (controller_) {
      controller_->signal(SIGKILL);
      controller_->wait(5s);
    }
    if (!HasFailure())
      fs::remove_all(dir_);
    else
      std::cerr << "kept " << dir_ << " for inspection\n";
  }

  void write_providers(const std::string& timeouts = "") {
    write_file(source_ + "/providers.yaml",
               "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
               "metadata: {name: sim-paradigm}\nspec:\n  type: paradigm\n  baseUrl: " +
                   sim_->url("paradigm") + "\n  credentials: {env: E2E_TOKEN}\n" + timeouts +
                   "  paradigm: {companyId: 1}\n");
  }
  void write_workspace(const std::string& name) {
    write_file(source_ + "/" + name + ".yaml",
               "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
               "  name: " +
                   name +
                   "\nspec:\n  providerConfigRef: {name: sim-paradigm}\n"
                   "  displayName: E2E " +
                   name + "\n  paradigm: {companyId: 1}\n");
  }
  void link_loops() {
    fs::create_directory_symlink(".", source_ + "/a");
    fs::create_directory_symlink(".", source_ + "/b");
  }

  void start_controller(std::vector<std::string> extra = {},
                        std::optional<unsigned long> max_files = std::nullopt) {
    std::vector<std::string> args = {WSOP_BINARY_DIR "/cmd/wsctl/wsctl",
                                     "controller",
                                     "--source",
                                     source_,
                                     "--state",
                                     dir_ + "/state.db",
                                     "--metrics-addr",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--source-poll",
                                     "200ms",
                                     "--instance-id",
                                     "e2e"};
    for (auto& a : extra) args.push_back(std::move(a));
    controller_ = std::make_unique<Process>(
        args, std::map<std::string, std::string>{{"E2E_TOKEN", "tok-hardening"}},
        dir_ + "/controller-" + std::to_string(runs_++), max_files);
    ASSERT_TRUE(eventually([&] { return get("/healthz").status == 200; }, 10s))
        << controller_->err();
  }

  simtest::Reply get(const std::string& path, std::chrono::milliseconds timeout = 2s) {
    simtest::Client client("http://127.0.0.1:" + std::to_string(port_));
    client.set_timeout(timeout);
    return client.get(path);
  }

  bool exists_remotely(const std::string& name) {
    auto reply = client("paradigm").get("/_sim/state");
    if (reply.status != 200) return false;
    nlohmann::json body = reply.json();
    for (const auto& ws : body["workspaces"]) {
      if (!ws.value("deleted", false) && ws.value("name", "") == "E2E " + name) return true;
    }
    return false;
  }

  // SIGTERM; the seconds until the process exited (nothing: still running
  // after the limit).
  std::optional<double> stop_within(std::chrono::milliseconds limit) {
    auto signalled = Clock::now();
    controller_->signal(SIGTERM);
    auto code = controller_->wait(limit);
    if (!code) return std::nullopt;
    EXPECT_EQ(*code, 0) << controller_->err();
    return std::chrono::duration<double>(Clock::now() - signalled).count();
  }

  std::string dir_, source_;
  int port_ = 0;
  int runs_ = 0;
  std::unique_ptr<Process> controller_;
};

// Slowloris: 1,000 connections, half of them sending a request head a byte
// every half second, the others nothing. The controller's cap (256) and its
// 5 s header timeout bound what they hold; probes and reconciles go on.
TEST_F(ControllerHardening, SlowlorisConnectionsCostNeitherHealthAnswersNorReconciles) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max < 1200) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << limit.rlim_max << " is below 1,200";
  }
  rlimit raised = limit;
  raised.rlim_cur = std::max<rlim_t>(limit.rlim_cur, std::min<rlim_t>(limit.rlim_max, 4096));
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &raised), 0);

  write_providers();
  write_workspace("alpha");
  start_controller();
  ASSERT_TRUE(eventually([&] { return exists_remotely("alpha"); }, 15s)) << controller_->err();

  Connections flood;
  for (int i = 0; i < 1000; ++i) {
    int fd = connect_loopback(port_);
    ASSERT_GE(fd, 0) << "connection " << i;
    if (i % 2 == 0) ::send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 33, MSG_NOSIGNAL);
    flood.add(fd);
  }
  write_workspace("beta");  // a new revision to reconcile during the flood

  auto started = Clock::now();
  std::chrono::milliseconds slowest{0};
  long most_descriptors = 0;
  int probes = 0;
  while (Clock::now() - started < 8s) {
    for (size_t i = 0; i < flood.fds().size(); i += 2) {
      ::send(flood.fds()[i], "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT);  // one more byte of a header
    }
    auto probe = get("/healthz", 3s);
    EXPECT_EQ(probe.status, 200) << "probe " << probes << ": " << probe.error;
    slowest = std::max(slowest, probe.elapsed);
    most_descriptors = std::max(most_descriptors, open_descriptors_of(controller_->pid()));
    ++probes;
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_LT(slowest, 2s);
  EXPECT_LT(most_descriptors, 400) << "the connections were not capped";
  EXPECT_TRUE(eventually([&] { return exists_remotely("beta"); }, 15s)) << controller_->err();
  size_t closed = 0;
  for (int fd : flood.fds()) closed += closed_by_peer(fd);
  EXPECT_GE(closed, 990u) << "slow connections outlived the 5 s header timeout";
  std::cerr << probes << " probes, slowest " << slowest.count() << " ms, at most "
            << most_descriptors << " descriptors, " << closed << " of 1000 closed\n";
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

// 300 connections that send nothing, against 64 descriptors: accept used to
// fail with EMFILE at once and be retried at once, 1.4 cores for ~50 s.
TEST_F(ControllerHardening, SilentConnectionsAtADescriptorLimitDoNotMakeItSpin) {
  write_providers();
  write_workspace("alpha");
  start_controller({}, 64);
  ASSERT_TRUE(eventually([&] { return exists_remotely("alpha"); }, 15s)) << controller_->err();

  Connections flood;
  for (int i = 0; i < 300; ++i) {
    int fd = connect_loopback(port_);
    ASSERT_GE(fd, 0) << "connection " << i;
    flood.add(fd);
  }
  std::this_thread::sleep_for(500ms);
  double before = cpu_seconds_of(controller_->pid());
  std::this_thread::sleep_for(3s);
  double used = cpu_seconds_of(controller_->pid()) - before;
  ASSERT_GE(before, 0);
  EXPECT_LT(used / 3.0, 0.3) << "the controller used " << used << " s of CPU in 3 s";
  std::cerr << "CPU during the flood: " << used << " s in 3 s\n";
  flood.close_all();
  EXPECT_TRUE(eventually([&] { return get("/healthz").status == 200; }, 5s)) << controller_->err();
  write_workspace("beta");
  EXPECT_TRUE(eventually([&] { return exists_remotely("beta"); }, 15s)) << controller_->err();
  EXPECT_TRUE(stop_within(5s)) << controller_->err();
}

// validate, diff and apply walked 2^32 paths; each now stops at once.
TEST_F(ControllerHardening, ValidateDiffAndApplyReportASymlinkLoopAndExit2) {
  write_providers();
  write_workspace("alpha");
  link_loops();
  for (std::string command : {"validate", "diff", "apply"}) {
    std::vector<std::string> args = {WSOP_BINARY_DIR "/cmd/wsctl/wsctl", command, "-f", source_};
    if (command != "validate") {
      args.insert(args.end(), {"--state", dir_ + "/" + command + ".db"});
    }
    Process run(args, {{"E2E_TOKEN", "tok-hardening"}}, dir_ + "/" + command);
    auto code = run.wait(10s);
    ASSERT_TRUE(code) << "wsctl " << command << " still runs after 10 s";
    EXPECT_EQ(*code, 2) << command;
    std::string output = run.out() + run.err();
    EXPECT_NE(output.find("symlink loop: " + source_ + "/a"), std::string::npos)
        << command << ": " << output;
  }
  EXPECT_TRUE(client("paradigm").get("/_sim/state").json()["workspaces"].empty());
}

// Never loaded: unready with the reason, healthy (the watcher idles), and
// memory flat while a broken manifest keeps changing and failing to load.
TEST_F(ControllerHardening, UnloadableSourceStaysUnreadyWithFlatMemoryAndStopsAtOnce) {
  write_providers();
  write_workspace("alpha");
  link_loops();
  start_controller();
  ASSERT_TRUE(eventually(
      [&] { return get("/readyz").body.find("symlink loop: " + source_) != std::string::npos; },
      10s))
      << get("/readyz").body << controller_->err();
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/healthz").status, 200);

  fs::remove(source_ + "/a");
  fs::remove(source_ + "/b");
  auto churn = [&](std::chrono::milliseconds how_long, int& n) {
    for (auto end = Clock::now() + how_long; Clock::now() < end; ++n) {
      write_file(source_ + "/broken.yaml", "kind: Workspace\nmetadata: {name: [" +
                                               std::string(static_cast<size_t>(n % 50), 'x') +
                                               "\n");
      std::this_thread::sleep_for(250ms);
    }
  };
  int writes = 0;
  churn(2s, writes);
  long first = resident_kib_of(controller_->pid());
  churn(5s, writes);
  long second = resident_kib_of(controller_->pid());
  ASSERT_GT(first, 0);
  EXPECT_LT(second - first, 20 * 1024) << "VmRSS grew from " << first << " to " << second << " KiB";
  std::cerr << "VmRSS " << first << " -> " << second << " KiB over " << writes << " writes\n";
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_NE(get("/readyz").body.find("broken.yaml"), std::string::npos) << get("/readyz").body;

  auto took = stop_within(3s);
  ASSERT_TRUE(took) << "still running 3 s after SIGTERM\n" << controller_->err();
  std::string err = controller_->err();
  size_t failures = 0;
  for (size_t at = err.find("source revision is invalid"); at != std::string::npos;
       at = err.find("source revision is invalid", at + 1)) {
    ++failures;
  }
  EXPECT_GE(failures, 5u) << "the loads did not fail repeatedly";
}

// Loaded once: a symlink loop in a later revision keeps the last good one
// served (ready, reconciling) and is reported. Idle loops between resyncs
// are no stall, even with a short --stall-timeout.
TEST_F(ControllerHardening, SymlinkLoopInALaterRevisionKeepsTheLastGoodOne) {
  write_providers();
  write_workspace("alpha");
  start_controller({"--resync", "1s", "--stall-timeout", "3s"});
  ASSERT_TRUE(eventually([&] { return exists_remotely("alpha"); }, 15s)) << controller_->err();
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; }));
  link_loops();
  ASSERT_TRUE(eventually(
      [&] { return controller_->err().find("symlink loop: " + source_) != std::string::npos; },
      10s))
      << controller_->err();
  auto reconciles = [&] {
    return metric(get("/metrics").body, "controller_runtime_reconcile_total").value_or(0);
  };
  double before = reconciles();
  EXPECT_TRUE(eventually([&] { return reconciles() > before; }, 10s))
      << "no reconcile after the bad revision";
  EXPECT_EQ(get("/readyz").status, 200);
  for (auto end = Clock::now() + 4s; Clock::now() < end; std::this_thread::sleep_for(250ms)) {
    auto health = get("/healthz");
    ASSERT_EQ(health.status, 200) << health.body;
  }
  EXPECT_TRUE(stop_within(3s)) << controller_->err();
}

// The watcher's list hangs (every request does, for 30 s each): the source
// loop is stuck in one turn past --stall-timeout, which /healthz reports.
TEST_F(ControllerHardening, ALoopStuckInOneTurnFailsHealthz) {
  write_providers("  timeouts: {connect: 5s, request: 30s}\n");
  write_workspace("alpha");
  ASSERT_EQ(client("paradigm").put("/_sim/faults", {{"hangRate", 1}}).status, 200);
  start_controller({"--stall-timeout", "2s", "--shutdown-grace", "1s"});
  simtest::Reply health;
  ASSERT_TRUE(eventually(
      [&] {
        health = get("/healthz");
        return health.status == 503;
      },
      10s))
      << controller_->err();
  EXPECT_NE(health.body.find("stalled: the source loop"), std::string::npos) << health.body;
  EXPECT_TRUE(stop_within(5s)) << controller_->err();
}

}  // namespace
}  // namespace wsop::e2e
