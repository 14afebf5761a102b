// The C++ fixture of the Kubernetes API double (kube_double.h): it starts the
// double with TLS and a token, writes a kubeconfig, and its hooks (failures,
// statistics, compaction, dropped watches) do what the client's tests rely on.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include "tests/kube/kube_double.h"

namespace wsop::kubetest {
namespace {

using nlohmann::json;

json workspace(const std::string& name) {
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "Workspace"},
          {"metadata", {{"name", name}}},
          {"spec", {{"providerConfigRef", {{"name", "cadenya-prod"}}}}}};
}

const char* kWorkspaces = "/apis/workspace-operator.io/v1alpha1/namespaces/default/workspaces";

class KubeDoubleFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kube_.start()) << kube_.log(); }
  KubeDouble kube_;
};

TEST_F(KubeDoubleFixtureTest, ServesTheCrdsOverTlsWithTheToken) {
  EXPECT_EQ(kube_.url().rfind("https://127.0.0.1:", 0), 0u) << kube_.url();
  simtest::Reply reply = kube_.request("GET", "/apis/workspace-operator.io/v1alpha1");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json discovery = reply.json();
  std::vector<std::string> names;
  for (const auto& resource : discovery["resources"]) names.push_back(resource["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "workspaces/status"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "providerconfigs"), names.end());
}

TEST_F(KubeDoubleFixtureTest, RejectsARequestWithoutTheToken) {
  simtest::Client anonymous(kube_.url(), "");
  simtest::Reply reply = anonymous.get("/api/v1/namespaces");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.json()["reason"], "Unauthorized");
  simtest::Client wrong(kube_.url(), "not-the-token");
  EXPECT_EQ(wrong.get("/api/v1/namespaces").status, 401);
  ASSERT_TRUE(kube_.set_tokens({"rotated"}));
  EXPECT_EQ(kube_.request("GET", "/api/v1/namespaces").status, 401);
  simtest::Client rotated(kube_.url(), "rotated");
  EXPECT_EQ(rotated.get("/api/v1/namespaces").status, 200);
}

TEST_F(KubeDoubleFixtureTest, WritesAKubeconfigWithServerCaAndToken) {
  std::ifstream in(kube_.kubeconfig_path());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("server: " + kube_.url()), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("token: " + kube_.token()), std::string::npos);
  EXPECT_NE(text.str().find("certificate-authority-data: "), std::string::npos);
}

TEST_F(KubeDoubleFixtureTest, FailsExactlyTheShareOfMatchingRequestsAsked) {
  ASSERT_TRUE(kube_.fail({{"ratio", 0.5}, {"code", 500}, {"verbs", {"list"}}}));
  int failed = 0;
  for (int i = 0; i < 6; ++i) {
    simtest::Reply reply = kube_.request("GET", kWorkspaces);
    if (reply.status == 500) {
      ++failed;
      EXPECT_EQ(reply.json()["kind"], "Status");
    } else {
      EXPECT_EQ(reply.status, 200);
    }
  }
  EXPECT_EQ(failed, 3);
  EXPECT_EQ(kube_.request("GET", "/api/v1/namespaces/default").status, 200);  // a get: not matched
  ASSERT_TRUE(kube_.fail({{"count", 1}, {"code", 429}, {"retryAfter", 2}}));
  simtest::Reply limited = kube_.request("GET", kWorkspaces);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "2");
  EXPECT_EQ(limited.json()["reason"], "TooManyRequests");
  EXPECT_EQ(kube_.request("GET", kWorkspaces).status, 200);
}

TEST_F(KubeDoubleFixtureTest, CountsRequestsByVerbAndResource) {
  ASSERT_TRUE(kube_.reset_stats());
  ASSERT_EQ(kube_.request("POST", kWorkspaces, workspace("a")).status, 201);
  ASSERT_EQ(kube_.request("GET", std::string(kWorkspaces) + "/a").status, 200);
  ASSERT_EQ(kube_
                .request("PATCH", std::string(kWorkspaces) + "/a/status",
                         {{"status", {{"remoteId", "r1"}}}}, "application/merge-patch+json")
                .status,
            200);
  auto stats = kube_.stats();
  ASSERT_TRUE(stats.is_ok());
  const json& counts = stats.value()["byVerbResource"];
  EXPECT_EQ(counts.value("create workspaces", 0), 1) << counts.dump();
  EXPECT_EQ(counts.value("get workspaces", 0), 1);
  EXPECT_EQ(counts.value("patch workspaces/status", 0), 1);
  EXPECT_EQ(stats.value()["total"], 3);
}

TEST_F(KubeDoubleFixtureTest, CompactionMakesAnOlderResourceVersionGone) {
  simtest::Reply created = kube_.request("POST", kWorkspaces, workspace("b"));
  ASSERT_EQ(created.status, 201);
  std::string old_rv = created.json()["metadata"]["resourceVersion"];
  ASSERT_EQ(kube_
                .request("PATCH", std::string(kWorkspaces) + "/b",
                         {{"metadata", {{"labels", {{"x", "y"}}}}}}, "application/merge-patch+json")
                .status,
            200);
  auto compacted = kube_.compact();
  ASSERT_TRUE(compacted.is_ok());
  EXPECT_NE(compacted.value(), old_rv);
  simtest::Reply watch =
      kube_.request("GET", std::string(kWorkspaces) + "?watch=1&resourceVersion=" + old_rv);
  EXPECT_EQ(watch.status, 410) << watch.body;
  EXPECT_EQ(watch.json()["reason"], "Expired");
}

TEST_F(KubeDoubleFixtureTest, DroppingWatchesEndsAnOpenWatch) {
  auto watch = std::async(std::launch::async, [this] {
    simtest::Client api = kube_.client();
    api.set_timeout(std::chrono::seconds(60));
    return api.get(std::string(kWorkspaces) + "?watch=1&timeoutSeconds=50");
  });
  // Wait until the double reports the watch open, then drop it.
  for (int i = 0; i < 500; ++i) {
    auto stats = kube_.stats();
    if (stats.is_ok() && stats.value()["openWatches"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(kube_.drop_watches());
  ASSERT_EQ(watch.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  simtest::Reply reply = watch.get();
  EXPECT_NE(reply.failure, simtest::Failure::kNone) << reply.status << " " << reply.body;
}

TEST_F(KubeDoubleFixtureTest, ExpiringWatchesSendsA410ErrorEvent) {
  auto watch = std::async(std::launch::async, [this] {
    simtest::Client api = kube_.client();
    api.set_timeout(std::chrono::seconds(60));
    return api.get(std::string(kWorkspaces) + "?watch=1&timeoutSeconds=50");
  });
  for (int i = 0; i < 500; ++i) {
    auto stats = kube_.stats();
    if (stats.is_ok() && stats.value()["openWatches"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(kube_.expire_watches());
  ASSERT_EQ(watch.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  simtest::Reply reply = watch.get();
  ASSERT_EQ(reply.status, 200) << reply.error;
  json event = json::parse(reply.body);
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
}

TEST_F(KubeDoubleFixtureTest, RunsKubectlAgainstItself) {
  ASSERT_EQ(kube_.request("POST", kWorkspaces, workspace("seen-by-kubectl")).status, 201);
  e2e::RunResult result = kube_.kubectl({"get", "workspaces", "-n", "default"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("READY"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("seen-by-kubectl"), std::string::npos) << result.out;
}

TEST(KubeDoubleWithoutTls, ServesPlainHttpWithoutAuthentication) {
  KubeDoubleOptions options;
  options.tls = false;
  options.tokens.clear();
  options.auto_create_namespaces = true;
  KubeDouble kube(options);
  ASSERT_TRUE(kube.start()) << kube.log();
  EXPECT_EQ(kube.url().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(kube.token(), "");
  simtest::Reply created =
      kube.request("POST", "/apis/workspace-operator.io/v1alpha1/namespaces/elsewhere/workspaces",
                   workspace("c"));
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(kube.request("GET", "/api/v1/namespaces/elsewhere").status, 200);
}

}  // namespace
}  // namespace wsop::kubetest
