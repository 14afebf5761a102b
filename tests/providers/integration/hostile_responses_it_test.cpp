// Hostile provider answers (tests/fixtures/hostile_responses/): every case of
// the corpus against every provider, through the Provider interface as the
// Registry builds it. Each call must end, quickly, with the case's expected
// outcome: a categorised Status whose message is for people (non-empty,
// bounded, valid UTF-8, without control characters or the token), or a
// usable workspace. Never a crash, a hang or an exception.
#include <future>
#include <mutex>
#include <set>

#include "tests/common/sanitizers.h"
#include "tests/providers/integration/hostile_corpus.h"
#include "tests/providers/integration/hostile_server.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {

// How GoogleTest names a case in its output.
void PrintTo(const HostileCase& c, std::ostream* os) {
  *os << c.file;
}

namespace {

constexpr milliseconds kRequestTimeout{800};
// A call still running by then hangs. Unoptimised sanitizer builds parse
// the 100,000-level documents about ten times slower.
#if defined(WSOP_TEST_UNDER_ASAN) || defined(WSOP_TEST_UNDER_TSAN)
constexpr auto kWatchdog = std::chrono::seconds(60);
#else
constexpr auto kWatchdog = std::chrono::seconds(8);
#endif
constexpr size_t kMaxMessage = 4096;

const std::vector<HostileCase>& corpus() {
  static const std::vector<HostileCase> cases =
      load_hostile_corpus(std::string(WSOP_SOURCE_DIR) + "/tests/fixtures/hostile_responses");
  return cases;
}

// What one call ended with.
struct Result {
  std::string code;     // code_name(), "OK" for a success
  std::string message;  // the Status message
  std::string problem;  // an exception, a hang, a success without an id
};

Result summarize(const Outcome<RemoteWorkspace>& o) {
  if (!o) return {std::string(code_name(o.status().code())), o.status().message(), ""};
  return {"OK", "", o->id.empty() ? "succeeded with a workspace without an id" : ""};
}

Result summarize(const Outcome<std::vector<RemoteWorkspace>>& o) {
  if (!o) return {std::string(code_name(o.status().code())), o.status().message(), ""};
  for (const auto& ws : *o) {
    if (ws.id.empty()) return {"OK", "", "listed a workspace without an id"};
  }
  return {"OK", "", ""};
}

struct Target {
  model::ProviderType type;
  std::string id;  // of the workspace get and update ask for
  model::Workspace workspace;
};

Result call(Provider& p, const std::string& op, const Target& t) {
  try {
    if (op == "get") return summarize(p.get(t.id));
    if (op == "list") return summarize(p.list({&t.workspace}));
    if (op == "create") return summarize(p.create(t.workspace));
    if (op == "update") {
      RemoteWorkspace current;
      current.id = t.id;
      auto changes = p.diff(t.workspace, current);
      if (changes.empty()) return {"", "", "no change to send"};
      return summarize(p.update(current, t.workspace, changes));
    }
    return {"", "", "unknown operation in the corpus: " + op};
  } catch (const std::exception& e) {
    return {"", "", std::string("threw: ") + e.what()};
  } catch (...) {
    return {"", "", "threw something"};
  }
}

// Structure only: lead bytes and their continuation bytes.
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80 ? 0 : c < 0xc2 ? 4 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf5 ? 3 : 4;
    if (extra > 3 || s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

// Why a failure's message is not fit for people and logs; empty when it is.
std::string unfit(const std::string& message) {
  if (message.empty()) return "empty message";
  if (message.find(kToken) != std::string::npos) return "the message contains the token";
  if (message.size() > kMaxMessage) {
    return "message of " + std::to_string(message.size()) + " bytes";
  }
  if (!valid_utf8(message)) return "message is not valid UTF-8";
  for (char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "control character in message";
  }
  return "";
}

// What is wrong with a call's result; empty when nothing is.
std::string verdict(const Result& r, const std::string& want, const std::string& contains) {
  std::string quoted = " (message: \"" + r.message.substr(0, 300) + "\")";
  if (!r.problem.empty()) return r.problem;
  if (r.code != want) return "ended " + r.code + ", not " + want + quoted;
  if (r.code == "OK") return "";
  if (std::string why = unfit(r.message); !why.empty()) return why + quoted;
  if (r.message.find(contains) == std::string::npos) return "no \"" + contains + "\"" + quoted;
  return "";
}

// The providers as the Registry builds them from a ProviderConfig, with
// short timeouts and a client that retries once, at once: the corpus is
// about what an answer becomes, not about backoff (rate_limit_it_test and
// vendor_bodies_it_test cover the waits).
std::unique_ptr<Provider> make_provider(model::ProviderType type, const std::string& url) {
  model::ProviderConfig c;
  c.name = std::string("hostile-") + provider_name(type);
  c.type = type;
  c.base_url = url;
  c.credentials.env = kTokenVar;
  c.rate_limit = {10000, 10000};
  c.timeouts = {milliseconds(1000), kRequestTimeout};
  providers::Registry registry = providers::Registry::builtin();
  registry.add(model::to_string(type), [](const model::ProviderConfig& cfg,
                                          std::unique_ptr<http::Client> client,
                                          const providers::ProviderContext& ctx) {
    http::ClientOptions options = client->options();
    options.retry = {2, milliseconds(5), milliseconds(20), milliseconds(50)};
    auto quick = http::Client::create(options);
    if (!quick) return Outcome<std::unique_ptr<Provider>>(quick.status());
    return providers::Registry::builtin().find(cfg.type)->make(cfg, std::move(*quick), ctx);
  });
  auto made = registry.make(c, {kInstance, nullptr});
  EXPECT_TRUE(made) << made.status().to_string();
  return made ? std::move(*made) : nullptr;
}

std::vector<Target> targets() {
  return {{model::ProviderType("paradigm"), "1", paradigm_ws("w")},
          {model::ProviderType("cadenya"), "ws_1", cadenya_ws("w")},
          {model::ProviderType("aether"), "abc", aether_ws("w")}};
}

class HostileResponsesIT : public ::testing::TestWithParam<HostileCase> {
 protected:
  static void SetUpTestSuite() {
    ::setenv(kTokenVar, kToken, 1);
    server_ = new HostileServer([](const RawRequest&) {
      std::lock_guard lock(mu_);
      return reply_;
    });
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    reply_.reset();
  }

  static void serve(HostileReply reply) {
    std::lock_guard lock(mu_);
    reply_ = std::make_shared<const HostileReply>(std::move(reply));
  }

  // One call of one provider, running.
  struct Pending {
    std::string provider;
    std::string op;
    std::string want;
    Provider* p;
    std::future<Result> result;
  };

  // Every expected operation of every provider at once, each on its own
  // connection, so that slow cases cost one request timeout, not twelve.
  std::vector<Pending> start_all(const nlohmann::json& spec) {
    std::vector<Pending> pending;
    for (const Target& t : targets_) {
      Provider* p = providers_.emplace_back(make_provider(t.type, server_->url())).get();
      if (!p) continue;
      for (const auto& expected : expectations(spec, provider_name(t.type))) {
        const std::string op = expected.first;
        pending.push_back(
            {provider_name(t.type), op, expected.second, p,
             std::async(std::launch::async, [p, op, &t] { return call(*p, op, t); })});
      }
    }
    return pending;
  }

  static Result finish(Pending& call) {
    if (call.result.wait_for(kWatchdog) == std::future_status::ready) return call.result.get();
    call.p->stop();  // ends waits in the rate limiter and between retries
    Result r = call.result.get();
    r.problem = "still running after " + std::to_string(kWatchdog.count()) + " s (ended by stop())";
    return r;
  }

  static inline HostileServer* server_ = nullptr;
  static inline std::mutex mu_;
  static inline std::shared_ptr<const HostileReply> reply_;  // guarded by mu_
  const std::vector<Target> targets_ = targets();
  std::vector<std::unique_ptr<Provider>> providers_;
};

TEST_P(HostileResponsesIT, EndsInItsCategoryWithAFitMessage) {
  const HostileCase& c = GetParam();
  ASSERT_FALSE(c.spec.is_discarded()) << c.file << " is not JSON";
  auto reply = reply_for(c.spec, {{"token", kToken}, {"origin", server_->url()}});
  ASSERT_TRUE(reply) << c.file << ": " << reply.status().to_string();
  serve(std::move(*reply));
  const std::string contains = c.spec.value("message_contains", "");
  auto pending = start_all(c.spec);
  ASSERT_FALSE(pending.empty()) << c.file << " runs no operation";
  for (Pending& call : pending) {
    EXPECT_EQ(verdict(finish(call), call.want, contains), "")
        << c.file << ": " << call.provider << " " << call.op;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileResponsesIT, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) {
                           return info.param.label;
                         });

// The corpus itself: enough cases, each well-formed, with known keys,
// operations and codes.
TEST(HostileCorpus, IsLargeAndWellFormed) {
  const std::set<std::string> ops = {"get", "list", "create", "update"};
  const std::set<std::string> codes = {"OK",          "NotFound",     "Invalid",
                                       "Conflict",    "Unauthorized", "Forbidden",
                                       "RateLimited", "Transient",    "Ambiguous"};
  const std::set<std::string> keys = {
      "description", "status",  "reason",    "headers",         "defaults",     "body",
      "body_json",   "raw",     "transport", "trickle_ms",      "trickle_from", "expect",
      "paradigm",    "cadenya", "aether",    "message_contains"};
  ASSERT_GE(corpus().size(), 45u);
  for (const HostileCase& c : corpus()) {
    SCOPED_TRACE(c.file);
    ASSERT_TRUE(c.spec.is_object());
    EXPECT_TRUE(c.spec.contains("description"));
    EXPECT_TRUE(c.spec.contains("expect"));
    for (const auto& [key, value] : c.spec.items()) EXPECT_TRUE(keys.count(key)) << key;
    for (const char* provider : {"paradigm", "cadenya", "aether"}) {
      for (const auto& [op, code] : expectations(c.spec, provider)) {
        EXPECT_TRUE(ops.count(op)) << op;
        EXPECT_TRUE(codes.count(code)) << code;
      }
    }
    EXPECT_TRUE(reply_for(c.spec, {}));
  }
}

}  // namespace
}  // namespace wsop::itest
