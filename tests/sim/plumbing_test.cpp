// Unit tests of the simulator's building blocks: ids, the token bucket, the
// bearer-token rules and the configuration file.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "sim/aether/aether_descriptor.h"
#include "sim/core/auth.h"
#include "sim/core/config.h"
#include "sim/core/ids.h"
#include "sim/core/rate_limiter.h"
#include "sim/paradigm/paradigm_descriptor.h"
#include "sim/registry.h"

namespace wsop::sim {
namespace {

using std::chrono::milliseconds;

TEST(SimIdsTest, UlidsAreCrockfordAndSortInCreationOrder) {
  std::mt19937_64 rng(1);
  UlidGenerator ulids;
  auto now = std::chrono::system_clock::now();
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    std::string id = ulids.next(now, rng);  // same millisecond: monotonic counter
    ASSERT_TRUE(is_ulid(id)) << id;
    ASSERT_TRUE(std::regex_match(id, std::regex("[0-7][0-9A-HJKMNP-TV-Z]{25}"))) << id;
    ASSERT_LT(previous, id);
    previous = id;
  }
  EXPECT_LT(previous, ulids.next(now + milliseconds(1), rng));
  EXPECT_LT(previous, ulids.next(now - milliseconds(5), rng));  // clock steps back
}

TEST(SimIdsTest, UuidsAreVersion4) {
  std::mt19937_64 rng(2);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = make_uuid_v4(rng);
    ASSERT_TRUE(std::regex_match(
        id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
    ASSERT_TRUE(is_uuid(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(is_uuid("not-a-uuid"));
}

TEST(SimIdsTest, FormatsRfc3339) {
  auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1736937000123456));
  EXPECT_EQ(format_time(t, 0), "2025-01-15T10:30:00Z");
  EXPECT_EQ(format_time(t, 3), "2025-01-15T10:30:00.123Z");
  EXPECT_EQ(format_time(t, 6), "2025-01-15T10:30:00.123456Z");
}

TEST(TokenBucketTest, AllowsRateAndSaysHowLongToWait) {
  TokenBucket bucket;
  auto t0 = TokenBucket::Clock::now();
  EXPECT_FALSE(bucket.take(t0));  // off by default
  bucket.set_rate(2, t0);
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
  auto wait = bucket.take(t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(wait->count(), 1);
  EXPECT_FALSE(bucket.take(t0 + milliseconds(600)));
  bucket.set_rate(0.1, t0);
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_EQ(bucket.take(t0)->count(), 10);
}

http::Request with_token(const std::string& token) {
  http::Request r;
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  return r;
}

TEST(SimAuthTest, AnyTokenIsAnAdminUnlessConfigured) {
  AuthConfig open;
  EXPECT_EQ(identify(open, with_token("x")), Caller::kAdmin);
  EXPECT_EQ(identify(open, with_token("")), Caller::kAnonymous);
  http::Request basic;
  basic.headers["authorization"] = "Basic abc";
  EXPECT_EQ(identify(open, basic), Caller::kAnonymous);
  AuthConfig configured{{"user", "admin"}, {"admin"}};
  EXPECT_EQ(identify(configured, with_token("user")), Caller::kUser);
  EXPECT_EQ(identify(configured, with_token("admin")), Caller::kAdmin);
  EXPECT_EQ(identify(configured, with_token("other")), Caller::kRejected);
  AuthConfig admins_only{{}, {"root"}};
  EXPECT_EQ(identify(admins_only, with_token("anyone")), Caller::kUser);
  EXPECT_EQ(identify(admins_only, with_token("root")), Caller::kAdmin);
}

TEST(SimConfigTest, DefaultsAreTheDemos) {
  SimConfig c = sim::builtin_config();
  EXPECT_EQ(c.at("paradigm").listen.address, "127.0.0.1");
  EXPECT_EQ(c.at("paradigm").listen.port, 0);
  EXPECT_TRUE(c.at("paradigm").auth.tokens.empty());
  ASSERT_EQ(sim::paradigm::options_of(c).companies.size(), 1u);
  EXPECT_EQ(sim::paradigm::options_of(c).companies[0].id, 1);
  ASSERT_EQ(sim::aether::options_of(c).projects.size(), 1u);
  EXPECT_EQ(sim::aether::options_of(c).projects[0], "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(sim::aether::options_of(c).idle_stop.count(), 0);
}

TEST(SimConfigTest, YamlSetsEveryKnob) {
  Outcome<SimConfig> c = parse_config(R"(
threads: 3
tls: {certFile: c.pem, keyFile: k.pem}
tokens: [shared]
faults: {latencyMs: 7, errorRate: 0.25}
paradigm:
  port: 18080
  companies: [{id: 5, name: Acme}, {id: 6}]
cadenya:
  address: 127.0.0.2
  tokens: [u, a]
  adminTokens: [a]
  faults: {rateLimitRps: 3}
aether:
  projects: [11111111-1111-4111-8111-111111111111]
  creatingDelay: 2s
  startingDelay: 250ms
  stoppingDelay: 0s
  errorRate: 0.1
  idleStop: 10m
)",
                                      builtin_config());
  ASSERT_TRUE(c) << c.status().to_string();
  EXPECT_EQ(c->threads, 3);
  EXPECT_EQ(c->tls_cert_file, "c.pem");
  EXPECT_EQ(c->at("paradigm").listen.port, 18080);
  EXPECT_EQ(c->at("paradigm").auth.tokens, (std::set<std::string>{"shared"}));
  ASSERT_EQ(sim::paradigm::options_of(*c).companies.size(), 2u);
  EXPECT_EQ(sim::paradigm::options_of(*c).companies[0].name, "Acme");
  EXPECT_EQ(c->at("paradigm").listen.faults.latency_ms, 7);
  EXPECT_EQ(c->at("cadenya").listen.address, "127.0.0.2");
  EXPECT_EQ(c->at("cadenya").auth.tokens, (std::set<std::string>{"u", "a"}));
  EXPECT_EQ(c->at("cadenya").auth.admin_tokens, (std::set<std::string>{"a"}));
  EXPECT_EQ(c->at("cadenya").listen.faults.rate_limit_rps, 3);
  EXPECT_EQ(c->at("cadenya").listen.faults.error_rate, 0.25);  // the shared default stays
  EXPECT_EQ(sim::aether::options_of(*c).creating_delay, milliseconds(2000));
  EXPECT_EQ(sim::aether::options_of(*c).starting_delay, milliseconds(250));
  EXPECT_EQ(sim::aether::options_of(*c).idle_stop, milliseconds(600000));
  EXPECT_EQ(sim::aether::options_of(*c).error_rate, 0.1);
  EXPECT_EQ(sim::aether::options_of(*c).projects[0], "11111111-1111-4111-8111-111111111111");
}

TEST(SimConfigTest, RejectsUnknownKeysAndBadValues) {
  for (const char* yaml : {"bogus: 1", "paradigm: {colour: red}", "aether: {creatingDelay: 5}",
                           "aether: {projects: [nope]}", "aether: {errorRate: 2}",
                           "faults: {errorRate: 3}", "faults: {typo: 1}", "threads: many",
                           "paradigm: {port: -1}", "cadenya: [1, 2]", "tokens: ['']", "{"}) {
    EXPECT_FALSE(parse_config(yaml, builtin_config())) << yaml;
  }
  EXPECT_FALSE(load_config_file("/nonexistent/sim.yaml", builtin_config()));
}

}  // namespace
}  // namespace wsop::sim
