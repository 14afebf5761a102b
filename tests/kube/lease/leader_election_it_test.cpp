// kube/leader_election.h against the Kubernetes API double with short
// durations: exactly one of two electors leads; a released Lease passes to
// the standby within about a retry period; a leader stopped without release
// (as if killed) is replaced after the lease duration and not before; a
// leader whose renewals fail stops leading within the renew deadline, before
// the Lease could expire for anyone else; leaseTransitions counts takeovers.
// A sampler checks leading() of every elector every 20 ms: never two.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>

#include "kube/errors.h"
#include "kube/leader_election.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::kube {
namespace {

using kubetest::client_from_kubeconfig;
using kubetest::eventually;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Samples leading() of the electors every 20 ms; counts samples where two led
// and remembers, per elector, the last sample where it led.
class LeadershipSampler {
 public:
  explicit LeadershipSampler(std::vector<LeaderElector*> electors)
      : electors_(std::move(electors)), last_(electors_.size()) {
    thread_ = std::thread([this] { run(); });
  }
  ~LeadershipSampler() {
    stop_ = true;
    thread_.join();
  }
  int both_leading() const { return both_.load(); }
  std::optional<Clock::time_point> last_leading(std::size_t i) const {
    std::lock_guard lock(mu_);
    return last_[i];
  }

 private:
  void run() {
    while (!stop_) {
      int leaders = 0;
      auto now = Clock::now();
      for (std::size_t i = 0; i < electors_.size(); ++i) {
        if (electors_[i] == nullptr || !electors_[i]->leading()) continue;
        ++leaders;
        std::lock_guard lock(mu_);
        last_[i] = now;
      }
      if (leaders > 1) ++both_;
      std::this_thread::sleep_for(20ms);
    }
  }
  std::vector<LeaderElector*> electors_;
  mutable std::mutex mu_;
  std::vector<std::optional<Clock::time_point>> last_;
  std::atomic<int> both_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Seen {  // what an elector's callbacks reported
  std::atomic<int> started{0}, stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  std::optional<Clock::time_point> first_started;  // guarded by mu
};

class LeaderElectionItTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    client_ = client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }

  std::unique_ptr<LeaderElector> elector(const std::string& identity, Seen& seen,
                                         std::chrono::milliseconds lease,
                                         std::chrono::milliseconds renew, bool release = true) {
    LeaderElectionConfig config;
    config.lease_namespace = "default";
    config.lease_name = "workspace-operator";
    config.identity = identity;
    config.lease_duration = lease;
    config.renew_deadline = renew;
    config.retry_period = 200ms;
    config.release_on_cancel = release;
    config.on_started_leading = [&seen] {
      std::lock_guard lock(seen.mu);
      if (!seen.first_started) seen.first_started = Clock::now();
      ++seen.started;
    };
    config.on_stopped_leading = [&seen] { ++seen.stopped; };
    config.on_new_leader = [&seen](const std::string& who) {
      std::lock_guard lock(seen.mu);
      seen.leaders.push_back(who);
    };
    Outcome<RestConfig> rest = load_kubeconfig({kube_.kubeconfig_path()}, "");
    EXPECT_TRUE(rest) << rest.status().to_string();
    if (!rest) return nullptr;
    auto made = LeaderElector::create(*rest, std::move(config));
    EXPECT_TRUE(made) << made.status().to_string();
    return made ? std::move(*made) : nullptr;
  }

  Json lease() {
    Outcome<Json> got = client_->get(kLeaseResource, "default", "workspace-operator");
    EXPECT_TRUE(got) << got.status().to_string();
    return got ? (*got)["spec"] : Json::object();
  }

  kubetest::KubeDouble kube_;
  std::shared_ptr<Client> client_;
};

TEST(LeaderElectionConfigTest, RefusesDurationsThatCouldMakeTwoLeaders) {
  RestConfig rest;
  rest.server = "https://127.0.0.1:1";
  LeaderElectionConfig config;
  config.lease_namespace = "default";
  config.lease_name = "x";
  config.lease_duration = 10s;
  config.renew_deadline = 10s;  // not below the lease duration
  EXPECT_EQ(LeaderElector::create(rest, config).status().code(), Code::kInvalid);
  config.renew_deadline = 5s;
  config.retry_period = 5s;  // not below the renew deadline
  EXPECT_EQ(LeaderElector::create(rest, config).status().code(), Code::kInvalid);
  config.retry_period = 1s;
  config.lease_name = "";
  EXPECT_EQ(LeaderElector::create(rest, config).status().code(), Code::kInvalid);
}

TEST(LeaderElectionConfigTest, IdentityAndMicroTimeFormats) {
  std::string identity = default_leader_identity();
  EXPECT_TRUE(std::regex_match(identity, std::regex(R"(.+_[0-9a-f]{8})"))) << identity;
  EXPECT_NE(identity, default_leader_identity());
  auto time =
      std::chrono::system_clock::time_point(std::chrono::microseconds(1'700'000'000'123'456));
  EXPECT_EQ(format_micro_time(time), "2023-11-14T22:13:20.123456Z");
}

TEST_F(LeaderElectionItTest, ExactlyOneLeadsAndAReleasedLeasePassesAtOnce) {
  Seen seen_a, seen_b;
  // A lease long enough that a takeover by expiry could not pass for one by release.
  auto a = elector("replica-a", seen_a, 6s, 4s);
  auto b = elector("replica-b", seen_b, 6s, 4s);
  ASSERT_TRUE(a && b);
  LeadershipSampler sampler({a.get(), b.get()});
  a->start();
  b->start();
  ASSERT_TRUE(eventually([&] { return a->leading() || b->leading(); }, 10s));
  std::this_thread::sleep_for(1500ms);  // several renewals
  LeaderElector* leader = a->leading() ? a.get() : b.get();
  LeaderElector* standby = leader == a.get() ? b.get() : a.get();
  EXPECT_TRUE(leader->leading());
  EXPECT_FALSE(standby->leading());
  EXPECT_EQ(standby->leader(), leader->identity());
  Json before = lease();
  EXPECT_EQ(before["holderIdentity"], leader->identity());
  EXPECT_EQ(before["leaseDurationSeconds"], 6);
  const std::regex micro_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(before["renewTime"].get<std::string>(), micro_time));
  EXPECT_TRUE(std::regex_match(before["acquireTime"].get<std::string>(), micro_time));
  const int transitions = before.value("leaseTransitions", 0);

  auto stopped_at = Clock::now();
  leader->stop();
  EXPECT_FALSE(leader->leading());
  EXPECT_LT(Clock::now() - stopped_at, 2s);  // prompt: one release request
  ASSERT_TRUE(eventually([&] { return standby->leading(); }, 10s));
  // Release: the standby's next try (retry 200 ms + jitter); expiry would take 6 s.
  EXPECT_LT(Clock::now() - stopped_at, 4s);
  Json after = lease();
  EXPECT_EQ(after["holderIdentity"], standby->identity());
  EXPECT_EQ(after.value("leaseTransitions", 0), transitions + 1);
  EXPECT_EQ(seen_a.started + seen_b.started, 2);
  EXPECT_EQ((leader == a.get() ? seen_a : seen_b).stopped, 1);
  {
    std::lock_guard lock((standby == a.get() ? seen_a : seen_b).mu);
    auto& leaders = (standby == a.get() ? seen_a : seen_b).leaders;
    EXPECT_NE(std::find(leaders.begin(), leaders.end(), leader->identity()), leaders.end());
    EXPECT_EQ(leaders.back(), standby->identity());
  }
  EXPECT_EQ(sampler.both_leading(), 0);
}

TEST_F(LeaderElectionItTest, ALoneElectorCreatesRenewsAndReleasesTheLease) {
  Seen seen;
  auto a = elector("replica-a", seen, 3s, 2s);
  ASSERT_TRUE(a);
  a->start();
  ASSERT_TRUE(eventually([&] { return a->leading(); }, 10s));
  Json created = lease();
  EXPECT_EQ(created["holderIdentity"], "replica-a");
  EXPECT_EQ(created.value("leaseTransitions", -1), 0);
  // Renewals move renewTime and keep acquireTime.
  ASSERT_TRUE(eventually([&] { return lease()["renewTime"] != created["renewTime"]; }, 5s));
  EXPECT_EQ(lease()["acquireTime"], created["acquireTime"]);
  EXPECT_GE(kubetest::double_count(kube_, "update leases"), 1);
  a->stop();
  EXPECT_FALSE(a->leading());
  EXPECT_EQ(seen.stopped, 1);
  Json released = lease();
  EXPECT_EQ(released.value("holderIdentity", ""), "");
  EXPECT_EQ(released["leaseDurationSeconds"], 1);
  EXPECT_EQ(released.value("leaseTransitions", -1), 0);
}

TEST_F(LeaderElectionItTest, AKilledLeaderIsReplacedAfterTheLeaseDurationAndNotBefore) {
  Seen seen_a, seen_b;
  auto a = elector("replica-a", seen_a, 3s, 2s, /*release=*/false);
  auto b = elector("replica-b", seen_b, 3s, 2s);
  ASSERT_TRUE(a && b);
  LeadershipSampler sampler({a.get(), b.get()});
  a->start();
  ASSERT_TRUE(eventually([&] { return a->leading(); }, 10s));
  b->start();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(a->leading());
  ASSERT_FALSE(b->leading());
  const int transitions = lease().value("leaseTransitions", 0);

  auto killed_at = Clock::now();
  a->stop();  // no release: the Lease stays as a crashed leader leaves it
  ASSERT_TRUE(eventually([&] { return b->leading(); }, 15s));
  Clock::time_point took_over;
  {
    std::lock_guard lock(seen_b.mu);
    ASSERT_TRUE(seen_b.first_started);
    took_over = *seen_b.first_started;
  }
  // A's last renewal was at most one retry period (+20% jitter) before the
  // kill; B may take over only a lease duration after it saw that renewal.
  EXPECT_GE(took_over - killed_at, 3s - 500ms);
  EXPECT_LT(took_over - killed_at, 3s + 5s);
  Json after = lease();
  EXPECT_EQ(after["holderIdentity"], "replica-b");
  EXPECT_EQ(after.value("leaseTransitions", 0), transitions + 1);
  EXPECT_EQ(sampler.both_leading(), 0);
}

TEST_F(LeaderElectionItTest, ALeaderThatCannotRenewStopsBeforeItsLeaseExpires) {
  Seen seen_a, seen_b;
  auto a = elector("replica-a", seen_a, 3s, 2s);
  auto b = elector("replica-b", seen_b, 3s, 2s);
  ASSERT_TRUE(a && b);
  LeadershipSampler sampler({a.get(), b.get()});
  a->start();
  ASSERT_TRUE(eventually([&] { return a->leading(); }, 10s));
  b->start();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(a->leading());

  // Every read and write of Leases fails from now on: A's last renewal was
  // sent before this instant.
  auto failing_from = Clock::now();
  ASSERT_TRUE(kube_.fail({{"ratio", 1.0},
                          {"code", 500},
                          {"verbs", {"get", "update", "create"}},
                          {"resources", {"leases"}}}));
  ASSERT_TRUE(eventually([&] { return !a->leading(); }, 10s));
  ASSERT_TRUE(sampler.last_leading(0));
  auto last_led = *sampler.last_leading(0);
  // Within the renew deadline (2 s) of the last renewal, plus the sampling
  // period; and well before the 3 s after which B could take over.
  EXPECT_LT(last_led - failing_from, 2s + 300ms);
  EXPECT_TRUE(eventually([&] { return seen_a.stopped.load() == 1; }, 5s));
  EXPECT_FALSE(b->leading());

  // The API answers again: one of them leads again, never both.
  ASSERT_TRUE(kube_.stop_failing());
  ASSERT_TRUE(eventually([&] { return a->leading() || b->leading(); }, 15s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(sampler.both_leading(), 0);
}

}  // namespace
}  // namespace wsop::kube
