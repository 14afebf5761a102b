// wsctl apply stops as asked (issue 20, points 5, 6 and 8), through the
// binary: at SIGINT / SIGTERM it starts nothing new, lets requests in flight
// end within a grace of 5 s, records them and exits 130 / 143 (a second
// signal at once); --timeout bounds the whole run, a Retry-After of 999999 s
// included; a create answered 2xx without an id is sent once, then looked up.
#include <gmock/gmock.h>

#include <csignal>
#include <mutex>
#include <thread>

#include "tests/e2e/cli_fixture.h"
#include "tests/providers/integration/hostile_server.h"

namespace wsop::e2e {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kPerProvider = 6;

// Aether workspaces of distinct shapes, so a lookup never confuses two.
std::string interrupt_spec(const std::string& provider, int i) {
  if (provider != "aether") return default_spec(provider);
  static const int kCpus[] = {1, 2, 4, 8};
  return "  hardware: {cpuKind: shared, cpus: " + std::to_string(kCpus[i % 4]) +
         ", memoryMb: " + std::to_string(2048 * (1 + i / 4)) +
         "}\n  aether: {projectId: " + simtest::kProject + "}\n";
}

class ApplyStopTest : public CliTest {
 protected:
  void write_workspaces() {
    for (const auto& p : all_providers()) {
      for (int i = 0; i < kPerProvider; ++i) {
        std::string name = p + "-" + std::to_string(i);
        write(name + ".yaml", workspace_yaml(name, p, interrupt_spec(p, i)));
      }
    }
  }

  void slow_down(int latency_ms) {
    for (const auto& p : all_providers()) set_faults(p, {{"latencyMs", latency_ms}});
  }

  int creates() {
    int total = 0;
    for (const auto& p : all_providers()) total += calls(p, "create");
    return total;
  }

  StartedProgram start_apply(std::vector<std::string> extra) {
    std::vector<std::string> args = {"apply", "-f", source(), "--state", state_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return start_program(wsctl_path(), args, dir());
  }

  // Waits until the simulator has answered a create: the apply is in its
  // creates, with more of them in flight.
  bool wait_for_first_create() {
    auto give_up = Clock::now() + seconds(60);
    while (Clock::now() < give_up) {
      if (creates() > 0) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  // Exactly one remote workspace per manifest, every one Synced.
  void expect_converged_without_duplicates() {
    slow_down(0);
    RunResult again = apply();
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    for (const auto& p : all_providers()) {
      EXPECT_EQ(remote_live(p).size(), static_cast<size_t>(kPerProvider))
          << p << ": " << remote_live(p).dump();
    }
  }
};

class ApplySignalTest : public ApplyStopTest, public ::testing::WithParamInterface<int> {};

// The attack: apply died within milliseconds of SIGINT / SIGTERM, leaving a
// pending create each time.
TEST_P(ApplySignalTest, StopsWithinTheGraceRecordsWhatWasInFlightAndExits128PlusSignal) {
  const int signal = GetParam();
  write_workspaces();
  slow_down(1500);
  constexpr int kWorkers = 3;
  StartedProgram run = start_apply({"--workers", std::to_string(kWorkers)});
  ASSERT_TRUE(wait_for_first_create());
  int created_before = creates();
  auto signalled = Clock::now();
  ASSERT_EQ(kill(run.pid, signal), 0);
  RunResult result = finish_program(run, seconds(60));
  auto took = Clock::now() - signalled;
  EXPECT_EQ(result.exit_code, 128 + signal) << result.out << result.err;
  EXPECT_LT(took, seconds(9)) << "the grace is 5 s";
  EXPECT_THAT(result.err, HasSubstr("interrupted by SIG"));
  EXPECT_THAT(result.err, HasSubstr("outcomes are recorded"));
  EXPECT_THAT(result.out, HasSubstr("not started"));
  // Only the creates in flight at the signal were answered after it.
  int created_after = creates();
  EXPECT_LE(created_after, created_before + kWorkers);
  EXPECT_LT(created_after, 3 * kPerProvider) << "the apply was not stopped";
  // Every create the providers answered is in the state store: the next
  // apply creates only the rest, never a second of any.
  expect_converged_without_duplicates();
}

INSTANTIATE_TEST_SUITE_P(Signals, ApplySignalTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "Sigint" : "Sigterm");
                         });

TEST_F(ApplyStopTest, ASecondSignalExitsAtOnce) {
  write_workspaces();
  slow_down(2500);
  StartedProgram run = start_apply({"--workers", "3"});
  ASSERT_TRUE(wait_for_first_create());
  ASSERT_EQ(kill(run.pid, SIGINT), 0);
  std::this_thread::sleep_for(milliseconds(300));
  auto again = Clock::now();
  ASSERT_EQ(kill(run.pid, SIGINT), 0);
  RunResult result = finish_program(run, seconds(60));
  EXPECT_EQ(result.exit_code, 130) << result.out << result.err;
  EXPECT_LT(Clock::now() - again, seconds(2));
  EXPECT_THAT(result.err, HasSubstr("SIGINT again"));
  // What the lost answers left pending is resolved by lookup: no duplicate.
  slow_down(0);
  RunResult next = apply({"--timeout", "2m"});
  for (const auto& p : all_providers()) {
    EXPECT_LE(remote_live(p).size(), static_cast<size_t>(kPerProvider))
        << p << ": a duplicate: " << remote_live(p).dump() << next.out << next.err;
  }
}

// --timeout bounded only the wait for the queue: the lists before it, and
// the reconciles running at its end, were not bounded. Here the lists end
// (within the grace) after the deadline, so not one create may start.
TEST_F(ApplyStopTest, TimeoutBoundsTheWholeRun) {
  write_workspaces();
  slow_down(2000);
  auto began = Clock::now();
  RunResult result = apply({"--timeout", "1s", "--workers", "2"});
  auto took = Clock::now() - began;
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_LT(took, seconds(12)) << "1 s, a grace of 5 s for requests in flight, and margin";
  EXPECT_THAT(result.err, HasSubstr("timed out after 1s"));
  EXPECT_THAT(result.out, HasSubstr("not started"));
  EXPECT_EQ(creates(), 0) << "a create started after the deadline\n" << result.out << result.err;
  expect_converged_without_duplicates();
}

// A provider that answers what the attacks answered, next to the simulator.
class HostileProviderTest : public ApplyStopTest {
 protected:
  void serve(
      std::function<std::shared_ptr<const itest::HostileReply>(const itest::RawRequest&)> handler) {
    server_ = std::make_unique<itest::HostileServer>([this, handler](const itest::RawRequest& r) {
      {
        std::lock_guard lock(mu_);
        seen_.push_back(r.method);
      }
      return handler(r);
    });
    ASSERT_TRUE(server_->start().is_ok());
    write("hostile.yaml", provider_config_yaml("hostile", "cadenya", server_->url()) + "---\n" +
                              workspace_yaml("victim", "hostile", ""));
  }

  static std::shared_ptr<const itest::HostileReply> answer(int status, const std::string& body,
                                                           const std::string& headers = "") {
    auto reply = std::make_shared<itest::HostileReply>();
    reply->bytes = "HTTP/1.1 " + std::to_string(status) +
                   " X\r\nContent-Type: application/json\r\n" + headers +
                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return reply;
  }

  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  std::unique_ptr<itest::HostileServer> server_;
  std::mutex mu_;
  std::vector<std::string> seen_;  // methods, in order; guarded by mu_
};

// The attack: Retry-After: 999999 made one list take 240-300 s.
TEST_F(HostileProviderTest, RetryAfter999999EndsWithinTheTimeout) {
  serve([](const itest::RawRequest&) {
    return answer(429, R"({"code": 8, "message": "slow down"})", "Retry-After: 999999\r\n");
  });
  auto began = Clock::now();
  RunResult result = apply({"--timeout", "5s"});
  auto took = Clock::now() - began;
  EXPECT_NE(result.exit_code, 0) << result.out << result.err;
  EXPECT_LT(took, seconds(15)) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("deadline"));
}

// The attack: a create answered 2xx without an id was sent again every
// ~37 s. It is ambiguous: one create, then only lookups, on this run and
// the next (the create may still commit: the journal waits, creates nothing).
TEST_F(HostileProviderTest, ACreateAnsweredWithoutAnIdIsSentOnceThenLookedUp) {
  serve([](const itest::RawRequest& r) {
    if (r.method == "POST") return answer(201, "{}");
    return answer(200, R"({"items": [], "pagination": {}})");
  });
  RunResult first = apply({"--timeout", "4s"});
  RunResult second = apply({"--timeout", "4s"});
  std::vector<std::string> methods = seen();
  auto posts = std::count(methods.begin(), methods.end(), "POST");
  EXPECT_EQ(posts, 1) << first.out << first.err << second.out << second.err;
  auto post = std::find(methods.begin(), methods.end(), "POST");
  ASSERT_NE(post, methods.end());
  EXPECT_GE(std::count(post, methods.end(), "GET"), 2) << "no lookup after the create";
  json synced = get_item("victim")["status"]["conditions"][1];
  EXPECT_EQ(synced["status"], "False") << synced.dump();
  EXPECT_THAT(synced["reason"].get<std::string>(), HasSubstr("Create"));
}

}  // namespace
}  // namespace wsop::e2e
