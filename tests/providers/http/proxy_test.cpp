// providers/http/proxy.h: proxy URLs, curl's environment rules and NO_PROXY
// matching, with a fake environment (the process's is never touched).
#include "providers/http/proxy.h"

#include <gtest/gtest.h>

#include <map>

namespace wsop::http {
namespace {

// A fake environment: only the variables given are set.
Getenv fake_env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

Url target(const std::string& text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << url.status().to_string();
  return url ? *url : Url{};
}

// The proxy chosen for url from the environment, as "host:port", or
// "direct".
std::string chosen(const std::string& url, std::map<std::string, std::string> vars) {
  auto choice = choose_proxy(target(url), std::nullopt, false, fake_env(std::move(vars)));
  if (!choice) return "error: " + choice.status().message();
  return choice->proxy ? choice->proxy->authority() : "direct";
}

TEST(ProxyUrlTest, ParsesSchemeCredentialsHostAndPort) {
  auto p = parse_proxy_url("http://user:p%40ss%3Aword@proxy.corp:3128/");
  ASSERT_TRUE(p) << p.status().to_string();
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, "3128");
  EXPECT_EQ(p->username, "user");
  EXPECT_EQ(p->password, "p@ss:word");
  EXPECT_EQ(p->display(), "http://***@proxy.corp:3128");
  // RFC 7617's example: Aladdin:open sesame.
  p = parse_proxy_url("HTTP://Aladdin:open%20sesame@proxy");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authorization(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(ProxyUrlTest, DefaultsAsCurl) {
  auto p = parse_proxy_url("proxy.corp");  // no scheme: http://, port 1080
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authority(), "proxy.corp:1080");
  EXPECT_FALSE(p->has_credentials());
  EXPECT_EQ(p->authorization(), "");
  EXPECT_EQ(p->display(), "http://proxy.corp:1080");
  p = parse_proxy_url("http://[::1]:8888");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->authority(), "[::1]:8888");
  p = parse_proxy_url("user@10.0.0.1:3128");  // a user without a password
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authorization(), "Basic dXNlcjo=");
}

TEST(ProxyUrlTest, RefusesWhatItCannotUseWithoutQuotingTheUrl) {
  for (const char* bad :
       {"https://user:s3cret@proxy:443", "socks5://user:s3cret@proxy", "http://user:s3cret@proxy:0",
        "http://user:s3cret@proxy:65536", "http://user:s3cret@proxy:12a",
        "http://user:s3cret@proxy:3128/path", "http://user:s3cret@proxy:3128?x",
        "http://user:s3cret@", "http://user:s3%zzcret@proxy", "http://user:s3cret@pro xy",
        "http://user:s3cret@[::1", "http://user:s3cret@proxy:"}) {
    auto p = parse_proxy_url(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.status().code(), Code::kInvalid) << bad;
    EXPECT_EQ(p.status().message().find("s3"), std::string::npos) << p.status().message();
  }
  auto tls = parse_proxy_url("https://proxy:443");
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.status().message().find("only http:// proxies are supported"), std::string::npos)
      << tls.status().message();
}

TEST(ProxyUrlTest, RedactsCredentialsForDisplay) {
  EXPECT_EQ(redact_proxy_url("http://u:p@h:1"), "http://***@h:1");
  EXPECT_EQ(redact_proxy_url("u:p@w@h"), "***@h");
  EXPECT_EQ(redact_proxy_url("http://h:1"), "http://h:1");
  EXPECT_EQ(redact_proxy_url(redact_proxy_url("http://u:p@h")), "http://***@h");
}

TEST(NoProxyTest, NamesMatchThemselvesAndSubdomains) {
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("example.com", "api.example.com"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "api.example.com"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "example.com"));  // curl ignores the dot
  EXPECT_FALSE(no_proxy_matches("example.com", "notexample.com"));
  EXPECT_FALSE(no_proxy_matches("api.example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("EXAMPLE.com", "Api.Example.COM."));
  EXPECT_TRUE(no_proxy_matches(" other.org ,\texample.com", "example.com"));
  EXPECT_FALSE(no_proxy_matches("", "example.com"));
  EXPECT_FALSE(no_proxy_matches(",,", "example.com"));
}

TEST(NoProxyTest, StarAloneMatchesEverything) {
  EXPECT_TRUE(no_proxy_matches("*", "anything.example"));
  EXPECT_TRUE(no_proxy_matches(" * ", "10.1.2.3"));
  EXPECT_FALSE(no_proxy_matches("*.example.com", "a.b.org"));
}

TEST(NoProxyTest, AddressesAndCidrRangesMatchIpLiterals) {
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.0/8", "127.200.0.1"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(no_proxy_matches("192.168.0.0/16", "192.168.44.5"));
  EXPECT_TRUE(no_proxy_matches("0.0.0.0/0", "8.8.8.8"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/33", "10.0.0.1"));  // bad prefix: no match
  EXPECT_TRUE(no_proxy_matches("::1", "::1"));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1"));
  EXPECT_TRUE(no_proxy_matches("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(no_proxy_matches("fd00::/8", "fe80::1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.0/8", "::1"));  // families never mix
  // A name never matches an address, nor an address a name.
  EXPECT_FALSE(no_proxy_matches("localhost", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "localhost"));
}

TEST(ProxyEnvironmentTest, SchemeVariablesAsCurl) {
  EXPECT_EQ(chosen("https://api.example.com", {}), "direct");
  EXPECT_EQ(chosen("https://api.example.com", {{"HTTPS_PROXY", "http://up:3128"}}), "up:3128");
  EXPECT_EQ(chosen("https://api.example.com", {{"https_proxy", "low:1"}, {"HTTPS_PROXY", "up:2"}}),
            "low:1");
  // The https variables are not for http URLs, and the reverse.
  EXPECT_EQ(chosen("http://api.example.com", {{"https_proxy", "p:1"}}), "direct");
  EXPECT_EQ(chosen("https://api.example.com", {{"http_proxy", "p:1"}}), "direct");
  EXPECT_EQ(chosen("http://api.example.com", {{"http_proxy", "p:1"}}), "p:1");
}

TEST(ProxyEnvironmentTest, UpperCaseHttpProxyIsIgnoredAsCurlDoes) {
  // httpoxy: a CGI program gets a request's "Proxy:" header as HTTP_PROXY.
  EXPECT_EQ(chosen("http://api.example.com", {{"HTTP_PROXY", "evil:1"}}), "direct");
  EXPECT_EQ(chosen("http://api.example.com", {{"HTTP_PROXY", "evil:1"}, {"all_proxy", "all:2"}}),
            "all:2");
}

TEST(ProxyEnvironmentTest, AllProxyIsTheFallback) {
  EXPECT_EQ(chosen("https://a.example", {{"ALL_PROXY", "up:1"}}), "up:1");
  EXPECT_EQ(chosen("https://a.example", {{"all_proxy", "low:1"}, {"ALL_PROXY", "up:1"}}), "low:1");
  EXPECT_EQ(chosen("https://a.example", {{"https_proxy", "s:1"}, {"all_proxy", "all:1"}}), "s:1");
}

TEST(ProxyEnvironmentTest, AnEmptyVariableMeansNoProxy) {
  // As curl: set but empty stops the search (HTTPS_PROXY and all_proxy unread).
  EXPECT_EQ(chosen("https://a.example", {{"https_proxy", ""}, {"HTTPS_PROXY", "up:1"}}), "direct");
  EXPECT_EQ(chosen("https://a.example", {{"https_proxy", ""}, {"all_proxy", "all:1"}}), "direct");
}

TEST(ProxyEnvironmentTest, NoProxyBypasses) {
  std::map<std::string, std::string> env = {{"https_proxy", "p:1"},
                                            {"NO_PROXY", "127.0.0.1, .internal"}};
  EXPECT_EQ(chosen("https://127.0.0.1:8443", env), "direct");
  EXPECT_EQ(chosen("https://svc.internal", env), "direct");
  EXPECT_EQ(chosen("https://api.example.com", env), "p:1");
  // Lower-case no_proxy wins over NO_PROXY.
  env["no_proxy"] = "example.com";
  EXPECT_EQ(chosen("https://127.0.0.1:8443", env), "p:1");
  EXPECT_EQ(chosen("https://api.example.com", env), "direct");
  auto choice = choose_proxy(target("https://api.example.com"), std::nullopt, false, fake_env(env));
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->source, "no_proxy");
}

TEST(ProxyEnvironmentTest, SpecProxyWinsOverTheEnvironment) {
  auto env = fake_env({{"https_proxy", "env:1"}, {"NO_PROXY", "*"}});
  auto choice = choose_proxy(target("https://a.example"), std::string("http://spec:2"), false, env);
  ASSERT_TRUE(choice);
  ASSERT_TRUE(choice->proxy);
  EXPECT_EQ(choice->proxy->authority(), "spec:2");  // NO_PROXY is the environment's
  EXPECT_EQ(choice->source, "spec.proxy.url");
  choice = choose_proxy(target("https://a.example"), std::nullopt, true, env);
  ASSERT_TRUE(choice);
  EXPECT_FALSE(choice->proxy);
  EXPECT_EQ(choice->source, "spec.proxy.none");
}

TEST(ProxyEnvironmentTest, ABadVariableIsAnErrorNamingItNotItsValue) {
  auto choice = choose_proxy(target("https://a.example"), std::nullopt, false,
                             fake_env({{"HTTPS_PROXY", "https://user:s3cret@proxy:443"}}));
  ASSERT_FALSE(choice);
  EXPECT_EQ(choice.status().code(), Code::kInvalid);
  EXPECT_NE(choice.status().message().find("HTTPS_PROXY"), std::string::npos);
  EXPECT_EQ(choice.status().message().find("s3cret"), std::string::npos);
  // Bypassed hosts never look at it.
  EXPECT_EQ(chosen("https://a.example", {{"HTTPS_PROXY", "https://p"}, {"no_proxy", "*"}}),
            "direct");
}

}  // namespace
}  // namespace wsop::http
