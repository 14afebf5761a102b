// The HTTP/1.1 server component (common/http): keep-alive, concurrency,
// delayed and unanswered responses, TLS, graceful stop; and its router.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/http/router.h"
#include "common/http/server.h"
#include "tests/common/http/test_client.h"
#include "tests/common/http/tls_files.h"

namespace wsop::simtest {
namespace {

using std::chrono::milliseconds;

// Answers by path: /echo, /slow (delay), /reset, /close, /hang, /throw.
http::Response demo(const http::Request& request) {
  http::Response r;
  std::string_view path = request.path();
  if (path == "/slow") r.delay = milliseconds(300);
  if (path == "/reset") r.disposition = http::Disposition::kReset;
  if (path == "/close") r.disposition = http::Disposition::kClose;
  if (path == "/hang") r.disposition = http::Disposition::kHang;
  if (path == "/throw") throw std::runtime_error("boom");
  r.body = nlohmann::json({{"method", request.method},
                           {"path", path},
                           {"q", request.query_param("q").value_or("")},
                           {"auth", request.header("AUTHORIZATION").value_or("")},
                           {"body", request.body},
                           {"secure", request.secure}})
               .dump();
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(http::ServerOptions options = {}) {
    server_ = std::make_unique<http::Server>(options, demo);
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  std::unique_ptr<http::Server> server_;
};

TEST_F(HttpServerTest, AnswersWithRequestDetails) {
  start();
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
  Client c(server_->url(), "tok");
  Reply r = c.request("POST", "/echo?q=a%20b+c", "payload");
  ASSERT_EQ(r.status, 200) << r.error;
  nlohmann::json j = r.json();
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/echo");
  EXPECT_EQ(j["q"], "a b c");
  EXPECT_EQ(j["auth"], "Bearer tok");
  EXPECT_EQ(j["body"], "payload");
  EXPECT_EQ(j["secure"], false);
  EXPECT_EQ(r.header("content-type"), "application/json");
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  start();
  Client c(server_->url());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.get("/echo").status, 200);
  EXPECT_EQ(c.connections(), 1);
}

TEST_F(HttpServerTest, ServesConcurrentConnections) {
  start();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Client c(server_->url());
      for (int i = 0; i < 50; ++i) ok += c.get("/echo").status == 200;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
}

TEST_F(HttpServerTest, DelayDoesNotHoldAThread) {
  http::ServerOptions options;
  options.threads = 1;
  start(options);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&] { EXPECT_EQ(Client(server_->url()).get("/slow").status, 200); });
  }
  for (auto& t : threads) t.join();
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(300));
  EXPECT_LT(elapsed, milliseconds(1200));  // 5 x 300 ms one after the other would be 1.5 s
}

TEST_F(HttpServerTest, ResetCloseAndHangLeaveTheRequestUnanswered) {
  start();
  Client c(server_->url());
  EXPECT_EQ(c.get("/reset").failure, Failure::kReset);
  EXPECT_EQ(c.get("/close").failure, Failure::kClosed);
  c.set_timeout(milliseconds(300));
  Reply hang = c.get("/hang");
  EXPECT_EQ(hang.failure, Failure::kTimeout);
  EXPECT_EQ(c.get("/echo").status, 200);  // the server still serves
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  start();
  EXPECT_EQ(Client(server_->url()).get("/throw").status, 500);
}

TEST_F(HttpServerTest, ServesTlsWithGivenCertificateAndKey) {
  TlsFiles files;
  ASSERT_TRUE(files.ok());
  http::ServerOptions options;
  options.tls_cert_file = files.cert_file();
  options.tls_key_file = files.key_file();
  start(options);
  ASSERT_EQ(server_->url().substr(0, 8), "https://");
  Client c(server_->url());
  Reply r = c.get("/echo");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.json()["secure"], true);
  EXPECT_EQ(c.get("/echo").status, 200);
  EXPECT_EQ(c.connections(), 1);
}

TEST_F(HttpServerTest, StartFailsOnUnreadableTlsFilesAndPortsInUse) {
  http::ServerOptions bad_tls;
  bad_tls.tls_cert_file = "/nonexistent/cert.pem";
  bad_tls.tls_key_file = "/nonexistent/key.pem";
  EXPECT_FALSE(http::Server(bad_tls, demo).start().is_ok());
  start();
  http::ServerOptions same;
  same.port = server_->port();
  EXPECT_FALSE(http::Server(same, demo).start().is_ok());
}

TEST_F(HttpServerTest, StopClosesIdleAndHangingConnectionsPromptly) {
  start();
  Client idle(server_->url());
  ASSERT_EQ(idle.get("/echo").status, 200);
  std::thread hanging([&] {
    Client c(server_->url());
    c.set_timeout(milliseconds(5000));
    EXPECT_NE(c.get("/hang").failure, Failure::kTimeout);  // closed by stop(), not timed out
  });
  std::this_thread::sleep_for(milliseconds(200));
  auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1000));
  hanging.join();
  EXPECT_EQ(idle.get("/echo").status, 0);
  server_->stop();  // idempotent
}

TEST(RouterTest, MatchesMethodAndPatternAndDecodesParams) {
  http::Router router;
  router.add("GET", "/v1/things/{id}", "get", [](const http::Request&, const http::PathParams& p) {
    http::Response r;
    r.body = p.get("id");
    return r;
  });
  router.add("POST", "/v1/things/{id}/start", "start", nullptr);
  http::Request request;
  request.method = "GET";
  request.target = "/v1/things/a%2Fb?x=1";
  auto match = router.match(request);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->name, "get");
  EXPECT_EQ(match->handler(request, match->params).body, "a/b");
  request.method = "DELETE";
  EXPECT_FALSE(router.match(request));
  EXPECT_TRUE(router.path_known("/v1/things/x"));
  EXPECT_FALSE(router.path_known("/v1/things"));
  request.method = "POST";
  request.target = "/v1/things/7/start";
  ASSERT_TRUE(router.match(request));
  EXPECT_EQ(router.match(request)->params.get("id"), "7");
}

TEST(RequestTest, QueryParamsAndHeaders) {
  http::Request request;
  request.target = "/p?a=1&b=x%3Dy&c&a=2&labels=k%3Dv%2Ck2%3Dv2";
  request.headers["host"] = "h";
  EXPECT_EQ(request.query_param("a"), "1");
  EXPECT_EQ(request.query_param("b"), "x=y");
  EXPECT_EQ(request.query_param("c"), "");
  EXPECT_EQ(request.query_param("labels"), "k=v,k2=v2");
  EXPECT_FALSE(request.query_param("d"));
  EXPECT_EQ(request.header("Host"), "h");
  EXPECT_EQ(http::url_encode("a b/c"), "a%20b%2Fc");
}

}  // namespace
}  // namespace wsop::simtest
