// Vendor answers the simulator never gives (issue 4, item 6): error bodies
// with codes it does not send, malformed or mistyped JSON, a `next` that
// leaves the origin. A scripted server answers; every answer must become a
// categorised Status that keeps the vendor's message, never a crash.
#include <future>
#include <mutex>

#include "common/http/server.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

class VendorBodiesIT : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    http::ServerOptions options;
    if (tls()) {
      options.tls_cert_file = sim_cert().cert_file();
      options.tls_key_file = sim_cert().key_file();
    }
    server_ = std::make_unique<http::Server>(options, [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      targets_.push_back(request.method + " " + request.target);
      if (script_) return script_(request);
      return answer_;
    });
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  void TearDown() override { server_->stop(); }

  void answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    answer_ = http::Response{};
    answer_.status = status;
    answer_.body = std::move(body);
  }
  std::vector<std::string> targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }

  std::unique_ptr<Provider> make_fake(model::ProviderType type) {
    model::ProviderConfig c = config(type);
    c.base_url = server_->url();
    return make(c);
  }

  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  http::Response answer_;
  std::function<http::Response(const http::Request&)> script_;  // guarded by mu_
  std::vector<std::string> targets_;
};

model::Workspace workspace_for(model::ProviderType type) {
  return type == kParadigm ? paradigm_ws("w") : type == kCadenya ? cadenya_ws("w") : aether_ws("w");
}

TEST_P(VendorBodiesIT, MalformedJsonIsAnErrorNotACrash) {
  const char* bodies[] = {"{not json",
                          "<html><body>502 Bad Gateway</body></html>",
                          "",
                          "[1,2,3]",
                          "\"just a string\"",
                          "{\"results\": \"nope\", \"items\": 7}",
                          "{\"id\": {\"deep\": [1]}, \"metadata\": [], \"hardware\": 5}",
                          "null"};
  for (auto type : {kParadigm, kCadenya, kAether}) {
    auto p = make_fake(type);
    model::Workspace w = workspace_for(type);
    for (const char* body : bodies) {
      SCOPED_TRACE(std::string(provider_name(type)) + " body " + body);
      answer(200, body);
      auto listed = p->list({&w});
      EXPECT_FALSE(listed);
      if (!listed) {
        EXPECT_EQ(listed.status().code(), Code::kTransient) << why(listed);
      }
      // A create answered 2xx without a usable workspace may still have
      // happened: ambiguous.
      answer(201, body);
      auto created = p->create(w);
      ASSERT_FALSE(created);
      EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
      // get/update: an error, or at worst an empty workspace; never a throw.
      answer(200, body);
      auto got = p->get("1");
      if (!got) {
        EXPECT_EQ(got.status().code(), Code::kTransient) << why(got);
      }
      RemoteWorkspace current;
      current.id = "1";
      auto updated = p->update(current, w, p->diff(w, current));
      if (!updated) {
        EXPECT_EQ(updated.status().code(), Code::kTransient) << why(updated);
      }
      // An error status with a body that is not the vendor's shape.
      answer(400, body);
      got = p->get("1");
      ASSERT_FALSE(got);
      EXPECT_EQ(got.status().code(), Code::kInvalid) << why(got);
      EXPECT_NE(got.status().message().find("HTTP 400"), std::string::npos);
    }
  }
}

TEST_P(VendorBodiesIT, ParadigmDetailAndFieldErrors) {
  auto p = make_fake(kParadigm);
  answer(409, R"({"detail": "A workspace with this name already exists."})");
  auto created = p->create(paradigm_ws("w"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kConflict);
  EXPECT_NE(created.status().message().find("already exists"), std::string::npos) << why(created);

  answer(400, R"({"name": ["This field may not be blank."], "company_id": ["Invalid pk."]})");
  created = p->create(paradigm_ws("w"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid);
  EXPECT_NE(created.status().message().find("name: This field may not be blank."),
            std::string::npos)
      << why(created);
  EXPECT_NE(created.status().message().find("company_id: Invalid pk."), std::string::npos);

  answer(401, R"({"detail": "Invalid token."})");
  auto got = p->get("3");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kUnauthorized);
  EXPECT_NE(got.status().message().find("Invalid token."), std::string::npos);

  answer(404, R"({"detail": "Not found."})");
  got = p->get("3");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound);

  // `next` on another origin is refused, not followed.
  answer(200, R"({"count": 2, "next": "http://evil.example:80/api/v3/company/workspaces?page=2",
                  "previous": null, "results": [{"id": 1, "name": "a"}]})");
  auto listed = p->list({});
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.status().message().find("another origin"), std::string::npos) << why(listed);
  for (const auto& t : targets()) EXPECT_EQ(t.find("evil"), std::string::npos) << t;
}

TEST_P(VendorBodiesIT, CadenyaRpcCodesDecide) {
  auto p = make_fake(kCadenya);
  struct Case {
    int http;
    int rpc;
    Code want;
  };
  const Case cases[] = {
      {400, 3, Code::kInvalid},      {404, 5, Code::kNotFound},      {409, 6, Code::kConflict},
      {403, 7, Code::kUnauthorized}, {401, 16, Code::kUnauthorized}, {400, 9, Code::kConflict},
      {400, 6, Code::kConflict},     {400, 5, Code::kNotFound},
  };
  for (const Case& c : cases) {
    std::string message = "vendor says " + std::to_string(c.rpc);
    answer(c.http, json{{"code", c.rpc}, {"message", message}, {"details", json::array()}}.dump());
    auto got = p->get("ws_1");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.status().code(), c.want) << c.http << "/" << c.rpc << ": " << why(got);
    EXPECT_NE(got.status().message().find(message), std::string::npos) << why(got);
    auto created = p->create(cadenya_ws("w"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), c.want) << "create " << c.http << "/" << c.rpc;
  }
  // A 5xx stays transient for reads and ambiguous for a create, whatever the code says.
  answer(503, json{{"code", 3}, {"message", "overloaded"}}.dump());
  auto created = p->create(cadenya_ws("w"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
}

TEST_P(VendorBodiesIT, AetherErrorBodiesAndUnknownStatus) {
  auto p = make_fake(kAether);
  const std::pair<int, Code> cases[] = {{400, Code::kInvalid},  {401, Code::kUnauthorized},
                                        {402, Code::kInvalid},  {403, Code::kUnauthorized},
                                        {404, Code::kNotFound}, {409, Code::kConflict}};
  for (const auto& [status, want] : cases) {
    answer(status, R"({"error": "aether said no", "code": "some_code"})");
    auto got = p->get("abc");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.status().code(), want) << status;
    EXPECT_NE(got.status().message().find("aether said no"), std::string::npos) << why(got);
    auto created = p->create(aether_ws("w"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), want) << "create " << status;
  }
  // A status this client has never heard of is transitional, not an error.
  answer(200, R"({"id": "abc", "project_id": ")" + std::string(kProject) +
                  R"(", "status": "migrating", "hardware": {"cpus": 2}})");
  auto got = p->get("abc");
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->status, "migrating");
  EXPECT_EQ(got->phase, Phase::kProvisioning);
  for (const auto& [word, phase] :
       std::vector<std::pair<std::string, Phase>>{{"creating", Phase::kProvisioning},
                                                  {"starting", Phase::kProvisioning},
                                                  {"running", Phase::kReady},
                                                  {"stopping", Phase::kProvisioning},
                                                  {"stopped", Phase::kStopped},
                                                  {"hibernating", Phase::kStopped},
                                                  {"error", Phase::kFailed},
                                                  {"stop_failed", Phase::kFailed}}) {
    EXPECT_EQ(providers::aether::phase_of(word), phase) << word;
  }
}

// Aether lists no closed set of CPU kinds (aether.md): a kind this client
// has never heard of is read back as the server spells it, never as
// "shared", so a manifest asking for "shared" sees the real difference and
// one asking for the new kind sees none.
TEST_P(VendorBodiesIT, AetherCpuKindIsReadBackAsTheServerSpellsIt) {
  auto p = make_fake(kAether);
  const json workspace = {{"id", "abc"},
                          {"project_id", kProject},
                          {"status", "running"},
                          {"hardware",
                           {{"cpu_kind", "a100-gpu"},
                            {"cpus", 2},
                            {"memory_mb", 2048},
                            {"volume_size_gb", 10},
                            {"gpu_kind", nullptr}}},
                          {"keep_active", false}};
  answer(200, workspace.dump());
  auto got = p->get("abc");
  ASSERT_TRUE(got) << why(got);
  ASSERT_TRUE(got->hardware.has_value());
  EXPECT_EQ(got->hardware->cpu_kind, "a100-gpu");
  model::Workspace shared = aether_ws("w");
  auto changes = p->diff(shared, *got);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.hardware.cpuKind");
  EXPECT_EQ(changes[0].observed, "\"a100-gpu\"");
  EXPECT_EQ(changes[0].desired, "\"shared\"");
  EXPECT_FALSE(changes[0].requires_replacement);
  model::Workspace same = shared;
  same.hardware->cpu_kind = "a100-gpu";
  EXPECT_TRUE(p->diff(same, *got).empty());
  answer(200, json{{"workspaces", {workspace}}}.dump());
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).hardware->cpu_kind, "a100-gpu");
}

// Django behind a TLS-terminating proxy writes `next` as http:// without the
// port: for an https baseUrl on the same host its path is followed, over our
// own origin. For an http baseUrl on another port it is another origin.
TEST_P(VendorBodiesIT, ParadigmNextWithAnotherSchemeOnOurHostIsFollowed) {
  {
    std::lock_guard lock(mu_);
    script_ = [](const http::Request& request) {
      http::Response r;
      bool second = request.query_param("page") == std::optional<std::string>("2");
      json next = second ? json(nullptr)
                         : json("http://127.0.0.1/api/v3/company/workspaces?page_size=100&page=2");
      r.body = json{{"count", 2},
                    {"next", next},
                    {"previous", nullptr},
                    {"results", {{{"id", second ? 2 : 1}, {"name", second ? "b" : "a"}}}}}
                   .dump();
      return r;
    };
  }
  auto p = make_fake(kParadigm);
  auto listed = p->list({});
  if (GetParam() == Transport::kPlain) {
    ASSERT_FALSE(listed);
    EXPECT_NE(listed.status().message().find("another origin"), std::string::npos) << why(listed);
    EXPECT_EQ(targets().size(), 1u);
    return;
  }
  ASSERT_TRUE(listed) << why(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(1).id, "2");
  auto seen = targets();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], "GET /api/v3/company/workspaces?page_size=100&page=2");
}

// A Retry-After beyond the policy's bound pauses the shared bucket only for
// the bound, not for the hour the server asked.
TEST_P(VendorBodiesIT, AbsurdRetryAfterIsCapped) {
  {
    std::lock_guard lock(mu_);
    script_ = [n = 0](const http::Request&) mutable {
      http::Response r;
      if (n++ == 0) {
        r.status = 429;
        r.set_header("Retry-After", "3600");
        r.body = R"({"error": "slow down"})";
      } else {
        r.body = "{}";
      }
      return r;
    };
  }
  http::ClientOptions options;
  options.provider = "capped";
  options.url = *http::parse_url(server_->url());
  if (tls()) options.tls.ca_file = sim_cert().cert_file();
  options.rate_limiter = std::make_shared<http::RateLimiter>(100, 10);
  options.retry.max_retry_after = milliseconds(200);
  auto client = http::Client::create(options);
  ASSERT_TRUE(client) << why(client);
  auto sent = std::async(std::launch::async, [&] {
    return (*client)->send({"get", "GET", "/x", ""});
  });
  if (sent.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    (*client)->stop();
    FAIL() << "a Retry-After of an hour stalled the client";
  }
  auto response = sent.get();
  ASSERT_TRUE(response) << why(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(targets().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Integration, VendorBodiesIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
