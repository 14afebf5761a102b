// Each fault kind of the simulator against the providers (issue 4, items 3
// and 7): reads are retried until they succeed, a create is never sent twice
// and says "ambiguous" when its outcome is unknown.
#include <mutex>

#include "common/http/server.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

const model::ProviderType kAll[] = {kParadigm, kCadenya, kAether};

class FaultsIT : public IntegrationTest {
 protected:
  // A workspace to read, made before any fault is set.
  std::string seed(Provider& p, model::ProviderType type) {
    auto created = p.create(workspace_for(type, "seed"));
    EXPECT_TRUE(created) << why(created);
    return created ? created->id : "";
  }
  size_t stored(model::ProviderType type) { return state(type)["workspaces"].size(); }
};

TEST_P(FaultsIT, LatencyIsWaitedFor) {
  for (auto type : kAll) {
    auto p = make(type);
    std::string id = seed(*p, type);
    set_faults(type, {{"latencyMs", 150}});
    auto started = Clock::now();
    auto got = p->get(id);
    ASSERT_TRUE(got) << why(got);
    EXPECT_GE(Clock::now() - started, milliseconds(150));
    auto created = p->create(workspace_for(type, "slow"));
    ASSERT_TRUE(created) << why(created);
    EXPECT_EQ(calls(type, "get"), 1);
  }
}

TEST_P(FaultsIT, LatencyPastTheRequestTimeoutIsTransientThenAmbiguous) {
  model::ProviderConfig c = config(kCadenya);
  c.timeouts.request = milliseconds(300);
  auto p = make(c);
  std::string id = seed(*p, kCadenya);
  set_faults(kCadenya, {{"latencyMs", 1000}});
  auto created = p->create(workspace_for(kCadenya, "late"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
  EXPECT_NE(created.status().message().find("timed out"), std::string::npos) << why(created);
  // The slow create did go through: exactly one POST, and it committed.
  EXPECT_EQ(calls(kCadenya, "create"), 2);
  EXPECT_EQ(stored(kCadenya), 2u);
}

TEST_P(FaultsIT, ServerErrorsAreRetriedForReads) {
  for (auto type : kAll) {
    auto p = make(type);
    std::string id = seed(*p, type);
    set_faults(type, {{"errorRate", 1.0}});
    {
      auto healer = heal_after(type, "get", 2);
      auto got = p->get(id);
      ASSERT_TRUE(got) << provider_name(type) << ": " << why(got);
      EXPECT_EQ(got->id, id);
    }
    json s = stats(type)["calls"]["get"];
    int64_t errors = 0;
    for (const char* code : {"500", "502", "503"}) errors += s.value(code, int64_t{0});
    EXPECT_GE(errors, 2) << s.dump();
    EXPECT_EQ(s.value("200", int64_t{0}), 1) << s.dump();

    set_faults(type, {{"errorRate", 1.0}});
    {
      auto healer = heal_after(type, "list", 1);
      auto listed = p->list({});
      ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);
    }
  }
}

TEST_P(FaultsIT, ServerErrorsMakeUpdatesRetryAndDeletesSucceed) {
  auto p = make(kAether);
  model::Workspace want = aether_ws("upd");
  auto created = p->create(want);
  ASSERT_TRUE(created) << why(created);
  want.hardware->memory_mb = 1024;
  set_faults(kAether, {{"errorRate", 1.0}});
  {
    auto healer = heal_after(kAether, "update", 1);
    auto updated = p->update(*created, want, p->diff(want, *created));
    ASSERT_TRUE(updated) << why(updated);
    EXPECT_EQ(updated->hardware->memory_mb, 1024);
  }
  set_faults(kAether, {{"errorRate", 1.0}});
  {
    auto healer = heal_after(kAether, "delete", 1);
    Status removed = p->remove(created->id);
    EXPECT_TRUE(removed.is_ok()) << removed.to_string();
  }
  EXPECT_GE(calls(kAether, "delete"), 2);
}

TEST_P(FaultsIT, ServerErrorOnCreateIsAmbiguousAndNeverRepeated) {
  for (auto type : kAll) {
    auto p = make(type);
    set_faults(type, {{"errorRate", 1.0}});
    for (int i = 0; i < 3; ++i) {
      auto created = p->create(workspace_for(type, "e" + std::to_string(i)));
      ASSERT_FALSE(created);
      EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
      EXPECT_NE(created.status().message().find("injected server error"), std::string::npos)
          << why(created);
    }
    EXPECT_EQ(calls(type, "create"), 3) << stats(type).dump();
    EXPECT_EQ(stored(type), 0u);
  }
}

TEST_P(FaultsIT, ResetsAreRetriedForReadsAndAmbiguousForCreates) {
  for (auto type : kAll) {
    auto p = make(type);
    std::string id = seed(*p, type);
    set_faults(type, {{"resetRate", 1.0}});
    {
      auto healer = heal_after(type, "get", 2);
      auto got = p->get(id);
      ASSERT_TRUE(got) << provider_name(type) << ": " << why(got);
    }
    EXPECT_GE(calls(type, "get", "reset"), 2);
    EXPECT_EQ(calls(type, "get", "200"), 1);

    set_faults(type, {{"resetRate", 1.0}});
    auto created = p->create(workspace_for(type, "reset"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
    EXPECT_EQ(calls(type, "create", "reset"), 1) << stats(type).dump();
    EXPECT_EQ(calls(type, "create"), 2);  // the seed and this one, never a retry
  }
}

TEST_P(FaultsIT, HangsTimeOutThenReadsRetryAndCreatesAreAmbiguous) {
  for (auto type : kAll) {
    model::ProviderConfig c = config(type);
    c.timeouts.request = milliseconds(300);
    auto p = make(c);
    std::string id = seed(*p, type);
    set_faults(type, {{"hangRate", 1.0}});
    {
      auto healer = heal_after(type, "get", 1);
      auto started = Clock::now();
      auto got = p->get(id);
      ASSERT_TRUE(got) << provider_name(type) << ": " << why(got);
      EXPECT_GE(Clock::now() - started, milliseconds(290));
    }
    EXPECT_EQ(calls(type, "get", "hang"), 1);

    set_faults(type, {{"hangRate", 1.0}});
    auto started = Clock::now();
    auto created = p->create(workspace_for(type, "hang"));
    auto took = Clock::now() - started;
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
    EXPECT_NE(created.status().message().find("timed out"), std::string::npos) << why(created);
    EXPECT_GE(took, milliseconds(290));
    EXPECT_LT(took, milliseconds(2000));
    EXPECT_EQ(calls(type, "create", "hang"), 1);
    EXPECT_EQ(calls(type, "create"), 2);
  }
}

TEST_P(FaultsIT, DroppedCreateIsAmbiguousWithExactlyOnePost) {
  for (auto type : kAll) {
    auto p = make(type);
    set_faults(type, {{"dropAfterCreateRate", 1.0}});
    model::Workspace want = workspace_for(type, "dropped");
    auto created = p->create(want);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
    EXPECT_NE(created.status().message().find("may have been processed"), std::string::npos);
    // Give a wrongly retrying client time to send its second POST.
    std::this_thread::sleep_for(milliseconds(100));
    json s = stats(type);
    EXPECT_EQ(calls(type, "create"), 1) << s.dump();
    EXPECT_EQ(calls(type, "create", "dropped"), 1) << s.dump();
    EXPECT_EQ(s["total"], 1) << s.dump();
    EXPECT_EQ(stored(type), 1u);  // committed
    set_faults(type, {{"dropAfterCreateRate", 0.0}});
    auto found = p->find_lost_create(
        want, {std::chrono::system_clock::now() - std::chrono::seconds(1), milliseconds(3000)});
    ASSERT_TRUE(found) << why(found);
    EXPECT_EQ(found->candidates.size(), 1u) << provider_name(type);
  }
}

TEST_P(FaultsIT, TooManyRequestsWaitsForRetryAfterThenSucceeds) {
  for (auto type : {kParadigm, kCadenya}) {
    auto p = make(type);
    std::string id = seed(*p, type);
    // One token a second, the bucket refilled on the change: the first call
    // passes, the second waits for Retry-After (1 s).
    set_faults(type, {{"rateLimitRps", 1}});
    auto started = Clock::now();
    ASSERT_TRUE(p->get(id));
    auto got = p->get(id);
    ASSERT_TRUE(got) << why(got);
    EXPECT_GE(Clock::now() - started, milliseconds(900));
    EXPECT_EQ(calls(type, "get", "429"), 1) << stats(type).dump();
    EXPECT_EQ(calls(type, "get", "200"), 2);
  }
}

// The client returns a create's 429 with its Retry-After and does not send
// it again itself: the create journal does, keeping its record pending
// (controller/reconcile/create_journal.cpp). The simulator refused it before
// serving it: nothing was made.
TEST_P(FaultsIT, TooManyRequestsOnCreateIsLeftToTheJournal) {
  for (auto type : kAll) {
    auto p = make(type);
    set_faults(type, {{"rateLimitRps", 1}});
    ASSERT_TRUE(p->list({}));
    auto created = p->create(workspace_for(type, "throttled"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kRateLimited) << why(created);
    ASSERT_TRUE(created.status().retry_after().has_value()) << why(created);
    EXPECT_GE(*created.status().retry_after(), milliseconds(1000));
    EXPECT_EQ(calls(type, "create"), 1) << stats(type).dump();
    EXPECT_EQ(calls(type, "create", "429"), 1);
    EXPECT_EQ(stored(type), 0u);
    set_faults(type, {{"rateLimitRps", 0}});
  }
}

INSTANTIATE_TEST_SUITE_P(Integration, FaultsIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

// Reads that keep failing give up with the vendor's message.
TEST_F(PlainIntegrationTest, PersistentServerErrorsGiveUpAsTransient) {
  auto p = make(kAether);
  set_faults(kAether, {{"errorRate", 1.0}});
  auto got = p->get("00000000-0000-4000-8000-000000000009");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kTransient) << why(got);
  EXPECT_NE(got.status().message().find("injected server error"), std::string::npos);
  EXPECT_EQ(calls(kAether, "get"), 5);
}

TEST_F(PlainIntegrationTest, HangingReadsGiveUpAsTransient) {
  model::ProviderConfig c = config(kParadigm);
  c.timeouts.request = milliseconds(100);
  auto p = make(c);
  auto seeded = p->create(paradigm_ws("seed"));
  ASSERT_TRUE(seeded) << why(seeded);
  std::string id = seeded->id;
  set_faults(kParadigm, {{"hangRate", 1.0}});
  auto got = p->get(id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kTransient) << why(got);
  EXPECT_EQ(calls(kParadigm, "get", "hang"), 5);  // RetryPolicy::max_attempts
}

}  // namespace
}  // namespace wsop::itest

namespace wsop::itest {
namespace {

// Nothing listens: the create never left, so it is retried and then
// reported as transient, never as ambiguous.
TEST_F(PlainIntegrationTest, RefusedConnectionIsNotAmbiguous) {
  std::string closed;
  {
    http::Server server(http::ServerOptions{},
                        [](const http::Request&) { return http::Response{}; });
    ASSERT_TRUE(server.start().is_ok());
    closed = server.url();
  }
  model::ProviderConfig c = config(model::ProviderType("cadenya"));
  c.base_url = closed;
  auto p = make(c);
  auto created = p->create(cadenya_ws("nowhere"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kTransient) << why(created);
  EXPECT_NE(created.status().message().find("connecting to"), std::string::npos) << why(created);
}

// Every attempt is reported to the observer with its operation and code.
TEST_F(PlainIntegrationTest, ObserverSeesEveryAttempt) {
  struct Seen : http::RequestObserver {
    void on_attempt(const std::string& provider, const std::string& operation, int code,
                    std::chrono::duration<double>) override {
      std::lock_guard lock(mu);
      attempts.push_back(provider + " " + operation + " " + std::to_string(code));
    }
    std::mutex mu;
    std::vector<std::string> attempts;
  };
  auto seen = std::make_shared<Seen>();
  auto made = providers::Registry::builtin().make(config(model::ProviderType("paradigm")),
                                                  {kInstance, seen});
  ASSERT_TRUE(made) << why(made);
  auto& p = *made;
  auto created = p->create(paradigm_ws("observed"));
  ASSERT_TRUE(created) << why(created);
  set_faults(model::ProviderType("paradigm"), {{"resetRate", 1.0}});
  {
    auto healer = heal_after(model::ProviderType("paradigm"), "get", 1);
    ASSERT_TRUE(p->get(created->id));
  }
  // The reset GETs (how many depends on when the healer steps in) are each
  // seen with code 0, as many as the simulator reset, then the answer.
  std::lock_guard lock(seen->mu);
  int64_t resets = calls(model::ProviderType("paradigm"), "get", "reset");
  ASSERT_GE(resets, 1);
  ASSERT_EQ(seen->attempts.size(), static_cast<size_t>(resets) + 2);
  EXPECT_EQ(seen->attempts.front(), "it-paradigm create 201");
  for (size_t i = 1; i + 1 < seen->attempts.size(); ++i) {
    EXPECT_EQ(seen->attempts[i], "it-paradigm get 0");
  }
  EXPECT_EQ(seen->attempts.back(), "it-paradigm get 200");
}

}  // namespace
}  // namespace wsop::itest
