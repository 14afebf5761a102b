// kube/client.h against a loopback server: the REST verbs' methods, paths,
// queries, bodies and content types; retries of 429 and 5xx honouring
// Retry-After, bounded in attempts and time, cancelable, never for a POST
// after a 5xx; pages of a list; RetryOnConflict.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "kube/client.h"
#include "kube/errors.h"
#include "tests/kube/client/loopback_server.h"

namespace wsop::kube {
namespace {

using kubetest::http_answer;
using kubetest::LoopbackConnection;
using kubetest::LoopbackRequest;
using kubetest::LoopbackServer;
using namespace std::chrono_literals;

const Resource kWorkspaces{"workspace-operator.io", "v1alpha1", "workspaces", true};
const Resource kProviderConfigs{"workspace-operator.io", "v1alpha1", "providerconfigs", false};

std::shared_ptr<Client> client_for(const LoopbackServer& server, RetryPolicy retry = {}) {
  RestConfig config;
  config.server = server.url();
  ClientOptions options;
  options.retry = retry;
  Outcome<std::shared_ptr<Client>> client = Client::create(config, options);
  EXPECT_TRUE(client) << client.status().to_string();
  return client ? *client : nullptr;
}

Json named(const std::string& ns, const std::string& name, const std::string& version) {
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", version}}}};
}

TEST(ClientVerbsTest, MethodsPathsBodiesAndContentTypes) {
  LoopbackServer server([](const LoopbackRequest&, LoopbackConnection& c) {
    c.write(http_answer(200, R"({"kind":"Workspace"})"));
  });
  ASSERT_TRUE(server.start());
  auto client = client_for(server);
  ListOptions list_options;
  list_options.label_selector = "team=research,tier!=gpu";
  list_options.resource_version = "0";
  ASSERT_TRUE(client->get(kWorkspaces, "team-a", "ml"));
  ASSERT_TRUE(client->get_status(kWorkspaces, "team-a", "ml"));
  ASSERT_TRUE(client->list(kWorkspaces, "", list_options));
  ASSERT_TRUE(client->list(kProviderConfigs, "ignored", {}));
  ASSERT_TRUE(client->create(kWorkspaces, "team-a", named("team-a", "ml", "")));
  ASSERT_TRUE(client->update(kWorkspaces, named("team-a", "ml", "5")));
  ASSERT_TRUE(client->update_status(kWorkspaces, named("team-a", "ml", "6")));
  ASSERT_TRUE(client->patch(kWorkspaces, "team-a", "ml", {{"spec", {{"x", 1}}}}));
  ASSERT_TRUE(client->patch_status(kWorkspaces, "team-a", "ml", Json::array(), PatchType::kJson));
  DeleteOptions precondition;
  precondition.precondition_resource_version = "9";
  precondition.propagation_policy = "Background";
  ASSERT_TRUE(client->remove(kWorkspaces, "team-a", "ml", precondition));
  const std::string base = "/apis/workspace-operator.io/v1alpha1";
  auto r = server.requests();
  ASSERT_EQ(r.size(), 10u);
  EXPECT_EQ(r[0].method + " " + r[0].target, "GET " + base + "/namespaces/team-a/workspaces/ml");
  EXPECT_EQ(r[1].target, base + "/namespaces/team-a/workspaces/ml/status");
  EXPECT_EQ(r[2].target,
            base + "/workspaces?labelSelector=team%3Dresearch%2Ctier%21%3Dgpu&resourceVersion=0");
  EXPECT_EQ(r[3].target, base + "/providerconfigs");
  EXPECT_EQ(r[4].method + " " + r[4].target, "POST " + base + "/namespaces/team-a/workspaces");
  EXPECT_EQ(r[5].method + " " + r[5].target, "PUT " + base + "/namespaces/team-a/workspaces/ml");
  EXPECT_EQ(Json::parse(r[5].body)["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(r[6].target, base + "/namespaces/team-a/workspaces/ml/status");
  EXPECT_EQ(r[7].method, "PATCH");
  EXPECT_EQ(r[7].headers["content-type"], "application/merge-patch+json");
  EXPECT_EQ(r[8].headers["content-type"], "application/json-patch+json");
  EXPECT_EQ(r[8].target, base + "/namespaces/team-a/workspaces/ml/status");
  EXPECT_EQ(r[9].method, "DELETE");
  Json body = Json::parse(r[9].body);
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "9");
  EXPECT_EQ(body["propagationPolicy"], "Background");
}

TEST(ClientVerbsTest, AnUpdateWithoutAResourceVersionIsRefusedLocally) {
  LoopbackServer server(
      [](const LoopbackRequest&, LoopbackConnection& c) { c.write(http_answer(200, "{}")); });
  ASSERT_TRUE(server.start());
  auto client = client_for(server);
  Outcome<Json> written = client->update(kWorkspaces, named("a", "b", ""));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.status().code(), Code::kInvalid);
  EXPECT_TRUE(server.requests().empty());
}

// Answers `failures` times with `code` (and Retry-After), then 200.
class FlakyServer {
 public:
  FlakyServer(int failures, int code, std::string retry_after)
      : failures_(failures), code_(code), retry_after_(std::move(retry_after)) {
    EXPECT_TRUE(server_.start());
  }
  // The handler uses the members below, which are destroyed before server_.
  ~FlakyServer() { server_.stop(); }
  LoopbackServer server_{[this](const LoopbackRequest&, LoopbackConnection& c) {
    std::lock_guard lock(mu_);
    if (failures_-- > 0) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!retry_after_.empty()) headers.emplace_back("Retry-After", retry_after_);
      c.write(
          http_answer(code_, R"({"kind":"Status","code":)" + std::to_string(code_) + "}", headers));
    } else {
      c.write(http_answer(200, "{}"));
    }
  }};

 private:
  std::mutex mu_;
  int failures_;
  int code_;
  std::string retry_after_;
};

TEST(ClientRetryTest, A429IsRetriedAfterItsRetryAfter) {
  FlakyServer flaky(1, 429, "1");
  auto client = client_for(flaky.server_);
  auto start = std::chrono::steady_clock::now();
  Outcome<Json> answer = client->get(kWorkspaces, "a", "b");
  ASSERT_TRUE(answer) << answer.status().to_string();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 950ms);  // it waited the second
  EXPECT_EQ(flaky.server_.requests().size(), 2u);
}

TEST(ClientRetryTest, FiveHundredsAreRetriedAFewTimesThenReported) {
  FlakyServer flaky(100, 503, "");
  RetryPolicy retry;
  retry.max_attempts = 3;
  retry.base_delay = 10ms;
  auto client = client_for(flaky.server_, retry);
  Outcome<Json> answer = client->get(kWorkspaces, "a", "b");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kTransient);
  EXPECT_EQ(flaky.server_.requests().size(), 3u);
}

TEST(ClientRetryTest, ARetryAfterBeyondTheTotalBoundIsNotWaited) {
  FlakyServer flaky(100, 429, "20");
  RetryPolicy retry;
  retry.max_total = 2s;
  auto client = client_for(flaky.server_, retry);
  auto start = std::chrono::steady_clock::now();
  Outcome<Json> answer = client->get(kWorkspaces, "a", "b");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kRateLimited);
  EXPECT_EQ(answer.status().retry_after(), std::chrono::milliseconds(20000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(flaky.server_.requests().size(), 1u);
}

TEST(ClientRetryTest, APostIsRetriedAfterA429ButNotAfterA5xx) {
  FlakyServer unavailable(1, 503, "");
  auto client = client_for(unavailable.server_);
  Outcome<Json> created = client->create(kWorkspaces, "a", named("a", "b", ""));
  ASSERT_FALSE(created);
  EXPECT_EQ(unavailable.server_.requests().size(), 1u);
  FlakyServer limited(1, 429, "0");
  client = client_for(limited.server_);
  EXPECT_TRUE(client->create(kWorkspaces, "a", named("a", "b", "")));
  EXPECT_EQ(limited.server_.requests().size(), 2u);
}

TEST(ClientRetryTest, StopEndsAWaitAtOnce) {
  FlakyServer flaky(100, 429, "25");
  auto client = client_for(flaky.server_);
  auto pending = std::async(std::launch::async, [&] { return client->get(kWorkspaces, "a", "b"); });
  while (flaky.server_.requests().empty()) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(pending.wait_for(200ms), std::future_status::timeout);  // waiting its 25 s
  client->stop();
  ASSERT_EQ(pending.wait_for(10s), std::future_status::ready);
  Outcome<Json> answer = pending.get();
  ASSERT_FALSE(answer);
  EXPECT_TRUE(is_canceled(answer.status()));
  EXPECT_TRUE(is_canceled(client->get(kWorkspaces, "a", "b").status()));
}

TEST(ClientListTest, PagesAreJoinedAndAnExpiredContinueRestartsWhole) {
  LoopbackServer server([](const LoopbackRequest& r, LoopbackConnection& c) {
    auto item = [](const char* name) { return Json{{"metadata", {{"name", name}}}}; };
    Json list = {{"kind", "WorkspaceList"}, {"metadata", {{"resourceVersion", "100"}}}};
    if (r.target.find("continue=expired") != std::string::npos) {
      c.write(http_answer(410, R"({"kind":"Status","code":410,"reason":"Expired"})"));
      return;
    }
    if (r.target.find("continue=") == std::string::npos &&
        r.target.find("limit=") != std::string::npos) {
      list["items"] = Json::array({item("a")});
      list["metadata"]["continue"] =
          r.target.find("fieldSelector") != std::string::npos ? "expired" : "p2";
    } else if (r.target.find("continue=p2") != std::string::npos) {
      list["metadata"]["resourceVersion"] = "999";  // a later page's version is not the snapshot's
      list["items"] = Json::array({item("b")});
    } else {
      list["items"] = {item("a"), item("b"), item("c")};
    }
    c.write(http_answer(200, list.dump()));
  });
  ASSERT_TRUE(server.start());
  auto client = client_for(server);
  Outcome<Json> all = client->list_all(kWorkspaces, "", {}, 1);
  ASSERT_TRUE(all) << all.status().to_string();
  EXPECT_EQ((*all)["items"].size(), 2u);
  EXPECT_EQ((*all)["metadata"]["resourceVersion"], "100");
  EXPECT_FALSE((*all)["metadata"].contains("continue"));
  ListOptions expiring;
  expiring.field_selector = "metadata.name!=z";
  all = client->list_all(kWorkspaces, "", expiring, 1);
  ASSERT_TRUE(all) << all.status().to_string();
  EXPECT_EQ((*all)["items"].size(), 3u);  // the whole list after the 410
}

TEST(ClientConflictTest, RetryOnConflictRereadsAndReappliesTheChange) {
  std::mutex mu;
  int version = 1;
  int puts = 0;
  LoopbackServer server([&](const LoopbackRequest& r, LoopbackConnection& c) {
    std::lock_guard lock(mu);
    if (r.method == "GET") {
      Json object = named("n", "x", std::to_string(version));
      object["spec"]["count"] = version * 10;
      c.write(http_answer(200, object.dump()));
      return;
    }
    ++puts;
    Json sent = Json::parse(r.body);
    if (sent["metadata"]["resourceVersion"] != std::to_string(version) || puts == 1) {
      ++version;  // someone else wrote first
      c.write(http_answer(409, R"({"kind":"Status","code":409,"reason":"Conflict"})"));
      return;
    }
    ++version;
    sent["metadata"]["resourceVersion"] = std::to_string(version);
    c.write(http_answer(200, sent.dump()));
  });
  ASSERT_TRUE(server.start());
  auto client = client_for(server);
  Outcome<Json> written = update_with_retry(*client, kWorkspaces, "n", "x", [](Json& object) {
    object["spec"]["count"] = object["spec"]["count"].get<int>() + 1;
    return Status::ok();
  });
  ASSERT_TRUE(written) << written.status().to_string();
  EXPECT_EQ((*written)["spec"]["count"], 21);  // applied to the object read after the conflict
  EXPECT_EQ(puts, 2);
  // A mutation that changes nothing writes nothing.
  Outcome<Json> same =
      update_with_retry(*client, kWorkspaces, "n", "x", [](Json&) { return Status::ok(); });
  ASSERT_TRUE(same);
  EXPECT_EQ(puts, 2);
  // A mutation's error aborts.
  Outcome<Json> refused = update_with_retry(
      *client, kWorkspaces, "n", "x", [](Json&) { return Status::error(Code::kInvalid, "no"); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().message(), "no");
}

}  // namespace
}  // namespace wsop::kube
