// kube/watch.h and kube/errors.h: watch lines parsed (ADDED, MODIFIED,
// DELETED, BOOKMARK; ERROR as its Status, 410 telling relist), a watch read
// from a chunked stream as events arrive, and metav1 Status answers mapped
// to Status codes and reasons.
#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/errors.h"
#include "kube/watch.h"
#include "tests/kube/client/loopback_server.h"

namespace wsop::kube {
namespace {

using namespace std::chrono_literals;

TEST(WatchLineTest, ParsesEveryEventType) {
  Outcome<WatchEvent> added = parse_watch_line(
      R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"7"}}})", "w");
  ASSERT_TRUE(added) << added.status().to_string();
  EXPECT_EQ(added->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(added->resource_version(), "7");
  EXPECT_EQ(added->object["metadata"]["name"], "a");
  EXPECT_EQ(parse_watch_line(R"({"type":"MODIFIED","object":{}})", "w")->type,
            WatchEvent::Type::kModified);
  EXPECT_EQ(parse_watch_line(R"({"type":"DELETED","object":{}})", "w")->type,
            WatchEvent::Type::kDeleted);
  Outcome<WatchEvent> bookmark = parse_watch_line(
      R"({"type":"BOOKMARK","object":{"kind":"Workspace","metadata":{"resourceVersion":"12"}}})",
      "w");
  ASSERT_TRUE(bookmark);
  EXPECT_EQ(bookmark->type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(bookmark->resource_version(), "12");
}

TEST(WatchLineTest, AnError410MeansRelist) {
  Outcome<WatchEvent> gone = parse_watch_line(
      R"x({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",)x"
      R"x("message":"too old resource version: 5 (9)","reason":"Expired","code":410}})x",
      "watch workspaces");
  ASSERT_FALSE(gone);
  EXPECT_TRUE(is_gone(gone.status())) << gone.status().to_string();
  EXPECT_NE(gone.status().message().find("too old resource version"), std::string::npos);
  Outcome<WatchEvent> internal = parse_watch_line(
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"etcd"}})", "w");
  ASSERT_FALSE(internal);
  EXPECT_EQ(internal.status().code(), Code::kTransient);
  EXPECT_FALSE(is_gone(internal.status()));
}

TEST(WatchLineTest, RejectsWhatIsNoWatchEvent) {
  for (const char* line : {"not json", "[]", R"({"object":{}})", R"({"type":"ADDED"})",
                           R"({"type":"RENAMED","object":{}})", R"({"type":1,"object":{}})"}) {
    Outcome<WatchEvent> event = parse_watch_line(line, "w");
    ASSERT_FALSE(event) << line;
    EXPECT_EQ(event.status().code(), Code::kInvalid) << line;
  }
}

TEST(WatchStreamTest, EventsArriveOneByOneThenTheErrorEndsTheWatch) {
  kubetest::Feed feed;
  kubetest::LoopbackServer server([&](const kubetest::LoopbackRequest&,
                                      kubetest::LoopbackConnection& c) { server.stream(c, feed); });
  ASSERT_TRUE(server.start());
  RestConfig config;
  config.server = server.url();
  Outcome<std::shared_ptr<Client>> client = Client::create(config);
  ASSERT_TRUE(client);
  Resource workspaces{"workspace-operator.io", "v1alpha1", "workspaces", true};
  WatchOptions options;
  options.resource_version = "41";
  options.timeout = 300s;
  Outcome<std::unique_ptr<WatchStream>> watch = (*client)->watch(workspaces, "team-a", options);
  ASSERT_TRUE(watch) << watch.status().to_string();
  const std::string target = server.requests().at(0).target;
  EXPECT_EQ(target.rfind("/apis/workspace-operator.io/v1alpha1/namespaces/team-a/workspaces?", 0),
            0u)
      << target;
  for (const char* part :
       {"watch=true", "resourceVersion=41", "allowWatchBookmarks=true", "timeoutSeconds=300"}) {
    EXPECT_NE(target.find(part), std::string::npos) << target;
  }
  feed.push(R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"42"}}})"
            "\n\n");
  Outcome<std::optional<WatchEvent>> event = (*watch)->next();
  ASSERT_TRUE(event && *event) << event.status().to_string();
  EXPECT_EQ((*event)->resource_version(), "42");
  feed.push(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"50"}}})"
            "\n");
  event = (*watch)->next();
  ASSERT_TRUE(event && *event);
  EXPECT_EQ((*event)->type, WatchEvent::Type::kBookmark);
  feed.push(R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})"
            "\n");
  event = (*watch)->next();
  ASSERT_FALSE(event);
  EXPECT_TRUE(is_gone(event.status()));
}

TEST(WatchStreamTest, ACleanEndOfTheStreamIsNoError) {
  kubetest::Feed feed;
  kubetest::LoopbackServer server([&](const kubetest::LoopbackRequest&,
                                      kubetest::LoopbackConnection& c) { server.stream(c, feed); });
  ASSERT_TRUE(server.start());
  RestConfig config;
  config.server = server.url();
  auto client = Client::create(config);
  ASSERT_TRUE(client);
  auto watch = (*client)->watch({"", "v1", "secrets", true}, "", {});
  ASSERT_TRUE(watch);
  EXPECT_EQ(server.requests().at(0).target.rfind("/api/v1/secrets?watch=true", 0), 0u);
  feed.end();
  Outcome<std::optional<WatchEvent>> event = (*watch)->next();
  ASSERT_TRUE(event);
  EXPECT_FALSE(event->has_value());
}

TEST(StatusMappingTest, MetaV1StatusAnswersMapToCodesAndReasons) {
  auto map = [](int code, const std::string& body, const std::string& retry_after = "") {
    return status_from_answer(code, body, retry_after, "put workspaces a/b");
  };
  EXPECT_TRUE(map(200, "{}").is_ok());
  EXPECT_TRUE(is_not_found(map(404, R"({"kind":"Status","reason":"NotFound","code":404})")));
  Status exists = map(409, R"({"kind":"Status","reason":"AlreadyExists","message":"x exists"})");
  EXPECT_TRUE(is_already_exists(exists));
  EXPECT_FALSE(is_conflict(exists));
  Status stale =
      map(409, R"({"kind":"Status","reason":"Conflict","message":"the object has been modified"})");
  EXPECT_TRUE(is_conflict(stale));
  EXPECT_FALSE(is_already_exists(stale));
  EXPECT_NE(stale.message().find("put workspaces a/b: 409 Conflict: the object has been modified"),
            std::string::npos)
      << stale.message();
  EXPECT_TRUE(is_gone(map(410, R"({"kind":"Status","reason":"Expired","code":410})")));
  EXPECT_TRUE(is_gone(map(410, "")));
  Status invalid = map(422, R"({"kind":"Status","reason":"Invalid","message":"spec.x: bad"})");
  EXPECT_TRUE(is_invalid(invalid));
  EXPECT_EQ(invalid.reason(), kReasonInvalid);
  EXPECT_EQ(map(401, "").code(), Code::kUnauthorized);
  EXPECT_EQ(map(403, "").code(), Code::kForbidden);
  Status limited = map(429, "", "3");
  EXPECT_EQ(limited.code(), Code::kRateLimited);
  EXPECT_EQ(limited.retry_after(), std::chrono::milliseconds(3000));
  Status unavailable = map(503, "<html>down</html>", "1");
  EXPECT_EQ(unavailable.code(), Code::kTransient);
  EXPECT_EQ(unavailable.retry_after(), std::chrono::milliseconds(1000));
  EXPECT_EQ(map(500, "").retry_after(), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(map(400, std::string(5000, 'y')).message().size() < 700, true);
}

}  // namespace
}  // namespace wsop::kube
