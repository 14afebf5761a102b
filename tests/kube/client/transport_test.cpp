// kube/transport.h against a scriptable loopback server: keep-alive reuse,
// a pooled connection the server closed, the bearer token and its
// re-read after a 401, deadlines, and streams read line by line as the
// bytes arrive, bounded, idle-timed and cancelable.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "kube/errors.h"
#include "kube/transport.h"
#include "tests/kube/client/loopback_server.h"

namespace wsop::kube {
namespace {

using kubetest::Feed;
using kubetest::http_answer;
using kubetest::LoopbackConnection;
using kubetest::LoopbackRequest;
using kubetest::LoopbackServer;
using namespace std::chrono_literals;

std::shared_ptr<Transport> transport_to(const std::string& url, TransportOptions options = {},
                                        RestConfig config = {}) {
  config.server = url;
  Outcome<std::shared_ptr<Transport>> transport = Transport::create(config, options);
  EXPECT_TRUE(transport) << transport.status().to_string();
  return transport ? *transport : nullptr;
}

TEST(TransportTest, KeepAliveReusesOneConnection) {
  LoopbackServer server(
      [](const LoopbackRequest&, LoopbackConnection& c) { c.write(http_answer(200, "{}")); });
  ASSERT_TRUE(server.start());
  auto transport = transport_to(server.url());
  for (int i = 0; i < 3; ++i) {
    Outcome<HttpResponse> answer = transport->round_trip({"GET", "/api", "", ""}, 10s);
    ASSERT_TRUE(answer) << answer.status().to_string();
    EXPECT_EQ(answer->status, 200);
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(TransportTest, APooledConnectionTheServerClosedIsReplacedExceptForAPost) {
  // Each answer claims keep-alive, then the server closes the connection:
  // the next request finds its pooled connection dead.
  LoopbackServer server([](const LoopbackRequest&, LoopbackConnection& c) {
    c.write(http_answer(200, "{}"));
    c.close();
  });
  ASSERT_TRUE(server.start());
  auto transport = transport_to(server.url());
  ASSERT_TRUE(transport->round_trip({"GET", "/a", "", ""}, 10s));
  // Whether the close has arrived when the next request goes out or only
  // after, the request finds the connection dead: no need to wait for it.
  Outcome<HttpResponse> again = transport->round_trip({"GET", "/b", "", ""}, 10s);
  ASSERT_TRUE(again) << again.status().to_string();
  EXPECT_EQ(server.connections(), 2);
  bool sent = false;
  Outcome<HttpResponse> post =
      transport->round_trip({"POST", "/c", "{}", "application/json"}, 10s, &sent);
  ASSERT_FALSE(post);
  EXPECT_EQ(post.status().code(), Code::kTransient);
  EXPECT_TRUE(sent);
}

TEST(TransportTest, SendsTheBearerTokenAndRereadsItAfterA401) {
  std::string dir = (std::filesystem::temp_directory_path() / "wsop-kubetok-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string file = dir + "/token";
  std::ofstream(file) << "old-token";
  LoopbackServer server([](const LoopbackRequest& r, LoopbackConnection& c) {
    bool good =
        r.headers.count("authorization") && r.headers.at("authorization") == "Bearer new-token";
    c.write(http_answer(good ? 200 : 401, R"({"kind":"Status","code":401})"));
  });
  ASSERT_TRUE(server.start());
  RestConfig config;
  config.token_file = file;
  TransportOptions options;
  options.token_reread_after = std::chrono::hours(1);
  auto transport = transport_to(server.url(), options, config);
  Outcome<HttpResponse> refused = transport->round_trip({"GET", "/api", "", ""}, 10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);  // same token after the re-read: no second try
  EXPECT_EQ(server.requests().size(), 1u);
  std::ofstream(file) << "new-token";  // the kubelet rotated it
  Outcome<HttpResponse> answer = transport->round_trip({"GET", "/api", "", ""}, 10s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].headers["authorization"], "Bearer old-token");
  EXPECT_EQ(requests[2].headers["authorization"], "Bearer new-token");
  std::filesystem::remove_all(dir);
}

TEST(TransportTest, ARequestDeadlineEndsAHungAnswer) {
  LoopbackServer server([&](const LoopbackRequest&, LoopbackConnection&) {
    Feed never;  // nothing is ever pushed: waits until the server stops
    never.pop(server.stopping());
  });
  ASSERT_TRUE(server.start());
  auto transport = transport_to(server.url());
  auto start = std::chrono::steady_clock::now();
  Outcome<HttpResponse> answer = transport->round_trip({"GET", "/api", "", ""}, 300ms);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kTransient);
  EXPECT_NE(answer.status().message().find("timed out"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()); }
  void TearDown() override { server_.stop(); }

  std::unique_ptr<LineStream> open(TransportOptions options = {},
                                   std::chrono::milliseconds idle = 30s) {
    auto transport = transport_to(server_.url(), options);
    Outcome<Transport::Stream> stream = transport->open_stream({"GET", "/w", "", ""}, 10s, idle);
    EXPECT_TRUE(stream) << stream.status().to_string();
    if (!stream) return nullptr;
    EXPECT_EQ(stream->head.status, 200);
    return std::move(stream->lines);
  }

  Feed feed_;
  LoopbackServer server_{
      [this](const LoopbackRequest&, LoopbackConnection& c) { server_.stream(c, feed_); }};
};

TEST_F(StreamTest, LinesArriveAsTheyAreWrittenNotAtTheEnd) {
  auto lines = open();
  ASSERT_TRUE(lines);
  feed_.push("first\n");
  Outcome<std::optional<std::string>> line = lines->next_line();  // the body has not ended
  ASSERT_TRUE(line && *line);
  EXPECT_EQ(**line, "first");
  feed_.push("sec");
  feed_.push("ond\r\nthird\n");
  EXPECT_EQ(**lines->next_line(), "second");
  EXPECT_EQ(**lines->next_line(), "third");
  feed_.push("last without newline");
  feed_.end();
  EXPECT_EQ(**lines->next_line(), "last without newline");
  line = lines->next_line();
  ASSERT_TRUE(line);
  EXPECT_FALSE(line->has_value());
}

TEST_F(StreamTest, ALineLongerThanTheLimitFails) {
  TransportOptions options;
  options.max_line_bytes = 1024;
  auto lines = open(options);
  ASSERT_TRUE(lines);
  feed_.push(std::string(3000, 'x'));
  Outcome<std::optional<std::string>> line = lines->next_line();
  ASSERT_FALSE(line);
  EXPECT_EQ(line.status().code(), Code::kInvalid);
}

TEST_F(StreamTest, AnIdleStreamTimesOut) {
  auto lines = open({}, 300ms);
  ASSERT_TRUE(lines);
  Outcome<std::optional<std::string>> line = lines->next_line();
  ASSERT_FALSE(line);
  EXPECT_EQ(line.status().code(), Code::kTransient);
}

TEST_F(StreamTest, ADroppedStreamIsAnError) {
  auto lines = open();
  ASSERT_TRUE(lines);
  feed_.push("one\n");
  feed_.drop();
  EXPECT_EQ(**lines->next_line(), "one");
  Outcome<std::optional<std::string>> line = lines->next_line();
  ASSERT_FALSE(line);
  EXPECT_EQ(line.status().code(), Code::kTransient);
}

TEST_F(StreamTest, CancelUnblocksAReadPromptly) {
  auto lines = open();
  ASSERT_TRUE(lines);
  auto reader = std::async(std::launch::async, [&] { return lines->next_line(); });
  EXPECT_EQ(reader.wait_for(200ms), std::future_status::timeout);  // blocked, as it should be
  auto start = std::chrono::steady_clock::now();
  lines->cancel();
  ASSERT_EQ(reader.wait_for(10s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  Outcome<std::optional<std::string>> line = reader.get();
  ASSERT_FALSE(line);
  EXPECT_TRUE(is_canceled(line.status())) << line.status().to_string();
  EXPECT_FALSE(lines->next_line());  // and stays canceled
}

TEST(TransportStreamTest, ARefusedStreamReturnsItsWholeAnswer) {
  LoopbackServer server([](const LoopbackRequest&, LoopbackConnection& c) {
    c.write(http_answer(410, R"({"kind":"Status","code":410,"reason":"Expired"})"));
  });
  ASSERT_TRUE(server.start());
  auto transport = transport_to(server.url());
  Outcome<Transport::Stream> stream = transport->open_stream({"GET", "/w", "", ""}, 10s, 10s);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->head.status, 410);
  EXPECT_EQ(stream->lines, nullptr);
  EXPECT_NE(stream->head.body.find("Expired"), std::string::npos);
}

TEST(ServerUrlTest, ParsesWhatKubeconfigsHold) {
  Outcome<ServerUrl> url = parse_server_url("https://10.0.0.1:6443/prefix/");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "10.0.0.1");
  EXPECT_EQ(url->port, "6443");
  EXPECT_EQ(url->path_prefix, "/prefix");
  url = parse_server_url("http://[fd00::1]");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "fd00::1");
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->host_port(), "[fd00::1]:80");
  EXPECT_EQ(parse_server_url("https://kubernetes")->port, "443");
  EXPECT_FALSE(parse_server_url("ftp://x"));
  EXPECT_FALSE(parse_server_url("https://user:pw@x"));
  EXPECT_FALSE(parse_server_url("https://x:99999"));
  EXPECT_FALSE(parse_server_url("https://:1"));
}

}  // namespace
}  // namespace wsop::kube
