// Pooled connections that the server closed while they sat idle (its
// keep-alive timeout) must not fail the next requests: they are dropped and
// the request goes out once more on a new connection.
#include <future>

#include "common/http/server.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

using namespace std::chrono_literals;

TEST_F(PlainIntegrationTest, IdleConnectionsClosedByTheServerAreReplacedNotFailed) {
  http::ServerOptions options;
  options.idle_timeout = 150ms;
  std::atomic<int> served{0};
  http::Server server(options, [&](const http::Request&) {
    ++served;
    http::Response response;
    response.body = R"({"workspaces": []})";
    response.delay = 100ms;  // keeps the first requests in flight together
    return response;
  });
  ASSERT_TRUE(server.start().is_ok());
  model::ProviderConfig c = config(model::ProviderType("aether"));
  c.base_url = server.url();
  auto provider = make(c);
  ASSERT_NE(provider, nullptr);

  // Eight lists at once leave eight connections in the pool: more than the
  // client's attempts, so retrying from the pool alone would fail.
  std::vector<std::future<bool>> lists;
  for (int i = 0; i < 8; ++i) {
    lists.push_back(std::async(std::launch::async, [&] { return provider->list({}).is_ok(); }));
  }
  for (auto& list : lists) EXPECT_TRUE(list.get());
  std::this_thread::sleep_for(500ms);  // the server closes every one of them

  auto again = provider->list({});
  EXPECT_TRUE(again) << why(again);
  EXPECT_EQ(served.load(), 9);
  server.stop();
}

}  // namespace
}  // namespace wsop::itest
