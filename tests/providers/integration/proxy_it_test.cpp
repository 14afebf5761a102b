// The providers through an HTTP proxy (issue 16, point 4): a CONNECT tunnel
// to the TLS simulator (the certificate still verified against the
// simulator's host), absolute-form requests to the plain one, the proxy
// from spec.proxy or from HTTPS_PROXY, NO_PROXY and spec.proxy none going
// direct, and a refusing proxy: a clear error naming it without its
// credentials, and a create that is not ambiguous. Loopback only.
#include <cstdlib>
#include <map>
#include <optional>

#include "tests/providers/integration/connect_proxy.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

constexpr const char* kProxyUser = "proxy-user";
constexpr const char* kProxyPassword = "pr0xy-s3cret";
// base64("proxy-user:pr0xy-s3cret")
constexpr const char* kProxyAuthorization = "Basic cHJveHktdXNlcjpwcjB4eS1zM2NyZXQ=";

// The proxy variables cleared for the test's duration, set as it asks, and
// put back as they were.
class ProxyEnvGuard {
 public:
  ProxyEnvGuard() {
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
                             "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      const char* value = std::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      ::unsetenv(name);
    }
  }
  ~ProxyEnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// "http://user:password@127.0.0.1:P" for a proxy's URL.
std::string with_credentials(const std::string& url, const std::string& password) {
  return "http://" + std::string(kProxyUser) + ":" + password + "@" +
         url.substr(std::string("http://").size());
}

// No Status message may show the proxy's user or password.
void expect_no_credentials(const Status& status) {
  EXPECT_EQ(status.to_string().find(kProxyPassword), std::string::npos) << status.to_string();
  EXPECT_EQ(status.to_string().find("wrong-s3cret"), std::string::npos) << status.to_string();
  EXPECT_EQ(status.to_string().find(kProxyUser), std::string::npos) << status.to_string();
}

class ProxyTlsIT : public TlsIntegrationTest {
 protected:
  ProxyEnvGuard env_;
};

class ProxyPlainIT : public PlainIntegrationTest {
 protected:
  ProxyEnvGuard env_;
};

TEST_F(ProxyTlsIT, SpecProxyTunnelsTlsAndVerifiesTheServer) {
  ConnectProxy proxy(kProxyAuthorization);
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.proxy.url = with_credentials(proxy.url(), kProxyPassword);
    auto p = make(c);
    ASSERT_NE(p, nullptr);
    auto listed = p->list({});
    ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);
    auto created = p->create(workspace_for(type, "through-proxy"));
    ASSERT_TRUE(created) << provider_name(type) << ": " << why(created);
    auto got = p->get(created->id);
    EXPECT_TRUE(got) << why(got);
    EXPECT_EQ(calls(type, "create"), 1);
  }
  EXPECT_GE(proxy.tunnels(), 3);
  EXPECT_EQ(proxy.forwarded(), 0);
  EXPECT_EQ(proxy.refused(), 0);
  for (const auto& target : proxy.targets()) EXPECT_EQ(target.rfind("127.0.0.1:", 0), 0u) << target;
}

TEST_F(ProxyTlsIT, TheTunnelDoesNotWeakenCertificateChecks) {
  ASSERT_TRUE(other_cert().ok());
  ConnectProxy proxy;
  model::ProviderConfig c = config(kCadenya);
  c.proxy.url = proxy.url();
  c.tls.ca_file = other_cert().cert_file();
  auto p = make(c);
  auto listed = p->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kInvalid) << why(listed);
  EXPECT_NE(listed.status().message().find("TLS handshake"), std::string::npos) << why(listed);
  EXPECT_GE(proxy.tunnels(), 1);
  EXPECT_EQ(total_calls(kCadenya), 0);
}

TEST_F(ProxyTlsIT, HttpsProxyFromTheEnvironment) {
  ConnectProxy proxy;
  env_.set("HTTPS_PROXY", proxy.url());
  auto p = make(kAether);
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_GE(proxy.tunnels(), 1);
  EXPECT_EQ(calls(kAether, "list"), 1);
}

TEST_F(ProxyTlsIT, NoProxyGoesDirect) {
  ConnectProxy proxy;
  env_.set("HTTPS_PROXY", proxy.url());
  env_.set("NO_PROXY", "example.com, 127.0.0.1");
  auto p = make(kParadigm);
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_EQ(proxy.connections(), 0);
  EXPECT_EQ(calls(kParadigm, "list"), 1);
}

TEST_F(ProxyTlsIT, SpecProxyNoneIgnoresTheEnvironment) {
  ConnectProxy proxy;
  env_.set("HTTPS_PROXY", proxy.url());
  env_.set("ALL_PROXY", proxy.url());
  model::ProviderConfig c = config(kCadenya);
  c.proxy.none = true;
  auto p = make(c);
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_EQ(proxy.connections(), 0);
}

TEST_F(ProxyTlsIT, RefusedConnectIsAClearErrorAndACreateIsNotAmbiguous) {
  ConnectProxy proxy(kProxyAuthorization);
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.proxy.url = with_credentials(proxy.url(), "wrong-s3cret");
    auto p = make(c);
    auto listed = p->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kInvalid) << why(listed);
    std::string expected = "proxy http://***@" + proxy.url().substr(7) + " refused CONNECT to " +
                           sim_->url(provider_name(type)).substr(8) +
                           ": 407 Proxy Authentication Required";
    EXPECT_NE(listed.status().message().find(expected), std::string::npos) << why(listed);
    expect_no_credentials(listed.status());
    // Nothing of the create was sent: refused, never ambiguous.
    auto created = p->create(workspace_for(type, "refused"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
    expect_no_credentials(created.status());
    EXPECT_EQ(total_calls(type), 0) << stats(type).dump();
  }
  EXPECT_EQ(proxy.tunnels(), 0);
  EXPECT_GE(proxy.refused(), 6);
}

TEST_F(ProxyTlsIT, UnreachableProxyIsNotAmbiguousAndNamesNoCredentials) {
  std::string dead_url;
  {
    ConnectProxy gone;  // a port that was just free, now closed
    dead_url = gone.url();
  }
  model::ProviderConfig c = config(kCadenya);
  c.proxy.url = with_credentials(dead_url, kProxyPassword);
  auto p = make(c);
  auto created = p->create(cadenya_ws("unreachable"));
  ASSERT_FALSE(created);
  EXPECT_NE(created.status().code(), Code::kAmbiguous) << why(created);
  EXPECT_NE(created.status().message().find("proxy http://***@127.0.0.1:"), std::string::npos)
      << why(created);
  expect_no_credentials(created.status());
  EXPECT_EQ(total_calls(kCadenya), 0);
}

TEST_F(ProxyTlsIT, HttpsProxyUrlIsRefusedClearly) {
  env_.set("https_proxy",
           "https://" + std::string(kProxyUser) + ":" + kProxyPassword + "@127.0.0.1:1");
  auto made = providers::Registry::builtin().make(config(kAether), {kInstance, nullptr});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().code(), Code::kInvalid);
  EXPECT_NE(made.status().message().find("environment variable https_proxy"), std::string::npos)
      << made.status().to_string();
  EXPECT_NE(made.status().message().find("only http:// proxies are supported"), std::string::npos)
      << made.status().to_string();
  expect_no_credentials(made.status());
}

TEST_F(ProxyPlainIT, PlainHttpGoesInAbsoluteForm) {
  ConnectProxy proxy(kProxyAuthorization);
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.proxy.url = with_credentials(proxy.url(), kProxyPassword);
    auto p = make(c);
    auto listed = p->list({});
    ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);
    auto created = p->create(workspace_for(type, "absolute"));
    ASSERT_TRUE(created) << provider_name(type) << ": " << why(created);
    EXPECT_EQ(calls(type, "create"), 1);
  }
  EXPECT_EQ(proxy.tunnels(), 0);
  EXPECT_GE(proxy.forwarded(), 6);
  for (const auto& target : proxy.targets()) {
    EXPECT_EQ(target.rfind("http://127.0.0.1:", 0), 0u) << target;
  }
}

TEST_F(ProxyPlainIT, HttpProxyFromTheEnvironmentButNeverUpperCase) {
  ConnectProxy proxy;
  env_.set("HTTP_PROXY", proxy.url());  // ignored, as curl ignores it (httpoxy)
  auto p = make(kCadenya);
  ASSERT_TRUE(p->list({}));
  EXPECT_EQ(proxy.connections(), 0);
  env_.set("http_proxy", proxy.url());
  p = make(kCadenya);
  auto listed = p->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_GE(proxy.forwarded(), 1);
}

TEST_F(ProxyPlainIT, RefusingProxyMakesNoAmbiguousCreate) {
  ConnectProxy proxy(kProxyAuthorization);
  model::ProviderConfig c = config(kParadigm);
  c.proxy.url = with_credentials(proxy.url(), "wrong-s3cret");
  auto p = make(c);
  auto created = p->create(paradigm_ws("refused"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
  EXPECT_NE(created.status().message().find("refused the request: 407"), std::string::npos)
      << why(created);
  expect_no_credentials(created.status());
  EXPECT_EQ(total_calls(kParadigm), 0);
  EXPECT_EQ(proxy.forwarded(), 0);
}

}  // namespace
}  // namespace wsop::itest
