// The per-ProviderConfig token bucket against the simulator's server-side
// limit (issue 4, items 4 and 7): many workers share one bucket, a storm
// stays within the server's limit plus the burst, a 429 slows the bucket
// down and it climbs back afterwards.
#include <mutex>

#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

class RateLimitIT : public IntegrationTest {};

TEST_P(RateLimitIT, StormOfConcurrentWorkersIsAbsorbed) {
  constexpr double kRate = 25;  // the server's limit and the client's qps
  constexpr int kBurst = 5;
  constexpr int kWorkers = 8, kEach = 10;
  model::ProviderConfig c = config(kParadigm);
  c.rate_limit = {kRate, kBurst};
  std::shared_ptr<http::RateLimiter> limiter;
  auto p = make_watching(c, limiter);
  ASSERT_TRUE(limiter);
  auto seeded = p->create(paradigm_ws("storm"));
  ASSERT_TRUE(seeded) << why(seeded);
  set_faults(kParadigm, {{"rateLimitRps", kRate}});

  std::atomic<int> ok{0};
  std::mutex mu;
  std::vector<std::string> failures;
  auto started = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto got = p->get(seeded->id);
        if (got) {
          ++ok;
        } else {
          std::lock_guard lock(mu);
          failures.push_back(got.status().to_string());
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  EXPECT_EQ(ok.load(), kWorkers * kEach) << (failures.empty() ? "" : failures.front());
  int64_t served = calls(kParadigm, "get", "200");
  int64_t throttled = calls(kParadigm, "get", "429");
  EXPECT_EQ(served, kWorkers * kEach);
  // Never more than the limit allows plus the burst, and hardly any 429.
  EXPECT_LE(served, kRate * seconds + kBurst + 1) << seconds << " s";
  EXPECT_LE(throttled, kBurst) << stats(kParadigm).dump();
}

TEST_P(RateLimitIT, ThrottlingSlowsTheBucketAndItRecovers) {
  model::ProviderConfig c = config(kCadenya);
  c.rate_limit = {50, 10};
  std::shared_ptr<http::RateLimiter> limiter;
  auto p = make_watching(c, limiter);
  ASSERT_TRUE(limiter);
  auto seeded = p->create(cadenya_ws("throttle"));
  ASSERT_TRUE(seeded) << why(seeded);
  EXPECT_DOUBLE_EQ(limiter->current_qps(), 50);

  // The server allows 3 a second; the client would send 50.
  set_faults(kCadenya, {{"rateLimitRps", 3}});
  for (int i = 0; i < 6; ++i) {
    auto got = p->get(seeded->id);
    ASSERT_TRUE(got) << why(got);
  }
  EXPECT_GE(calls(kCadenya, "get", "429"), 1) << stats(kCadenya).dump();
  EXPECT_EQ(calls(kCadenya, "get", "200"), 6);
  double slowed = limiter->current_qps();
  EXPECT_LT(slowed, 50);
  EXPECT_GT(slowed, 0);

  // The server relents: the rate climbs back while no 429 comes (the curve
  // itself is adaptive_rate_test's), never past the configured rate.
  set_faults(kCadenya, {{"rateLimitRps", 0}});
  auto until = Clock::now() + milliseconds(1500);
  while (Clock::now() < until) ASSERT_TRUE(p->get(seeded->id));
  EXPECT_GT(limiter->current_qps(), slowed);
  EXPECT_LE(limiter->current_qps(), 50);
}

// Provider::stop() wakes a worker waiting for a token, at shutdown.
TEST_P(RateLimitIT, StopWakesWaitingWorkers) {
  model::ProviderConfig c = config(kCadenya);
  c.rate_limit = {0.1, 1};  // one request, then ten seconds until the next
  auto p = make(c);
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  auto started = Clock::now();
  std::thread waiter([&] {
    auto again = p->list({});
    EXPECT_FALSE(again);
    if (!again) {
      EXPECT_EQ(again.status().code(), Code::kTransient) << why(again);
    }
  });
  std::this_thread::sleep_for(milliseconds(100));
  p->stop();
  waiter.join();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(calls(kCadenya, "list"), 1);
}

INSTANTIATE_TEST_SUITE_P(Integration, RateLimitIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
