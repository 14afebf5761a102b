// Which HTTP proxy, if any, a provider's requests go through, and the proxy
// URLs themselves (issue 16, point 4).
//
// Contract:
//   - the environment is read as curl reads it (curl(1) ENVIRONMENT,
//     CURLOPT_NOPROXY): https_proxy, then HTTPS_PROXY, for https URLs;
//     http_proxy only (never HTTP_PROXY, see choose_proxy) for http URLs;
//     all_proxy, then ALL_PROXY, when the scheme's variable is unset; a set
//     but empty variable means no proxy; no_proxy, then NO_PROXY, lists the
//     hosts reached directly;
//   - a ProviderConfig's spec.proxy (a URL, or none) wins over the
//     environment;
//   - only http:// proxies are supported: a CONNECT tunnel for https targets,
//     absolute-form requests for http ones. https:// (TLS to the proxy
//     itself) and SOCKS proxies are refused with kInvalid;
//   - a proxy URL may carry user:password (percent-encoded); the credentials
//     leave this module only as the Proxy-Authorization value. Every message
//     and every display form shows the proxy as http://***@host:port.
// The environment is read through a Getenv function, so tests need not touch
// the process environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "providers/http/url.h"

namespace wsop::http {

// A parsed http:// proxy.
struct ProxySettings {
  std::string host;      // a name or an IP literal, without brackets
  std::string port;      // "1080" when the URL has none, as curl
  std::string username;  // percent-decoded
  std::string password;

  bool has_credentials() const { return !username.empty() || !password.empty(); }
  // "http://host:port", or "http://***@host:port": the only form ever shown.
  std::string display() const;
  // "Basic base64(user:password)" (RFC 7617), or "" without credentials.
  std::string authorization() const;
  // "host:port", brackets around an IPv6 literal: what a socket connects to.
  std::string authority() const;
};

// Parses [http://][user[:password]@]host[:port][/]. Messages never quote the
// text (it may hold a password).
Outcome<ProxySettings> parse_proxy_url(std::string_view text);

// text with everything between the scheme and the last '@' replaced by ***,
// for showing a proxy URL as the user wrote it (wsctl validate -o json).
std::string redact_proxy_url(std::string_view text);

// Whether host (a name, or an IP literal without brackets) is listed in a
// NO_PROXY value: comma- or space-separated names, each matching itself and
// its subdomains (a leading dot is ignored: ".example.com" and "example.com"
// both match example.com and a.example.com), IP addresses and CIDR ranges
// (127.0.0.0/8, fd00::/8) matching IP literals, and "*" alone matching
// every host. Case-insensitive; a trailing dot on the host is ignored.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

using Getenv = std::function<const char*(const char*)>;
// std::getenv.
const char* system_getenv(const char* name);

struct ProxyChoice {
  std::optional<ProxySettings> proxy;  // nullopt: connect directly
  // What decided, for the log line: "spec.proxy.url", "spec.proxy.none",
  // "https_proxy", "NO_PROXY"..., or "" when nothing asks for a proxy.
  std::string source;
};

// The proxy for requests to target. spec_url / spec_none: the
// ProviderConfig's spec.proxy. Otherwise the environment, as curl reads it;
// upper-case HTTP_PROXY is ignored as curl ignores it: a CGI program gets a
// request's "Proxy:" header as HTTP_PROXY (httpoxy, CVE-2016-5385). kInvalid
// when the URL chosen does not parse, naming where it came from.
Outcome<ProxyChoice> choose_proxy(const Url& target, const std::optional<std::string>& spec_url,
                                  bool spec_none, const Getenv& getenv = system_getenv);

}  // namespace wsop::http
