#include "providers/http/proxy.h"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace wsop::http {
namespace {

constexpr std::string_view kProxyDefaultPort = "1080";  // curl's default for http:// proxies

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_forbidden_in_url(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX sequences decoded, as curl decodes a proxy URL's user and password.
std::optional<std::string> percent_decode_userinfo(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool valid_host_name(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

bool valid_ipv6_text(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

// Splits host[:port] (IPv6 in brackets); port stays empty when absent.
Status split_host_port(std::string_view authority, ProxySettings& out) {
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::error(Code::kInvalid, "unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return Status::error(Code::kInvalid, "unexpected text after ']'");
    }
    if (!valid_ipv6_text(out.host)) return Status::error(Code::kInvalid, "bad IPv6 address");
    if (rest.empty()) return Status::ok();
    port = rest.substr(1);
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (!valid_host_name(out.host)) {
      return Status::error(Code::kInvalid, out.host.empty() ? "no host" : "bad host name");
    }
    if (colon == std::string_view::npos) return Status::ok();
    port = authority.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() ||
      port.front() == '0' || value > 65535) {
    return Status::error(Code::kInvalid, "the port must be a number from 1 to 65535");
  }
  out.port = std::string(port);
  return Status::ok();
}

// The scheme, lower-cased, and the text after "://"; no scheme means http.
std::pair<std::string, std::string_view> split_scheme(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return {"http", text};
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {scheme, text.substr(sep + 3)};
}

Outcome<ProxySettings> parse_proxy_url_or_fail(std::string_view text) {
  auto [scheme, rest] = split_scheme(text);
  if (scheme == "https") {
    return Status::error(Code::kInvalid,
                         "only http:// proxies are supported, not https:// (TLS to the proxy "
                         "itself); https requests still go through the proxy's CONNECT tunnel");
  }
  if (scheme != "http") return Status::error(Code::kInvalid, "only http:// proxies are supported");
  for (char c : rest) {
    if (is_forbidden_in_url(c)) {
      return Status::error(Code::kInvalid, "must not contain spaces or control characters");
    }
  }
  ProxySettings out;
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    if (userinfo.find_first_of("/?#") != std::string_view::npos) {
      return Status::error(Code::kInvalid, "'/', '?' and '#' in credentials must be %-encoded");
    }
    size_t colon = userinfo.find(':');
    auto user = percent_decode_userinfo(userinfo.substr(0, colon));
    auto password = percent_decode_userinfo(
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1));
    if (!user || !password) return Status::error(Code::kInvalid, "bad %-encoding in credentials");
    out.username = std::move(*user);
    out.password = std::move(*password);
    rest = rest.substr(at + 1);
  }
  size_t path = rest.find_first_of("/?#");
  if (path != std::string_view::npos && rest.substr(path) != "/") {
    return Status::error(Code::kInvalid, "must have no path, query or fragment");
  }
  Status split = split_host_port(rest.substr(0, path), out);
  if (!split) return split;
  if (out.port.empty()) out.port = std::string(kProxyDefaultPort);
  return out;
}

// An IP literal as bytes (4 or 16), or nothing for a name.
std::optional<std::vector<unsigned char>> parse_ip_literal(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    return std::vector<unsigned char>(bytes.begin(), bytes.begin() + 4);
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    return std::vector<unsigned char>(bytes.begin(), bytes.end());
  }
  return std::nullopt;
}

// token: an address, or address/bits; host: an IP literal's bytes.
bool cidr_matches(std::string_view token, const std::vector<unsigned char>& host) {
  size_t slash = token.find('/');
  std::string address(token.substr(0, slash));
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  auto network = parse_ip_literal(address);
  if (!network || network->size() != host.size()) return false;
  unsigned bits = static_cast<unsigned>(host.size() * 8);
  if (slash != std::string_view::npos) {
    std::string_view text = token.substr(slash + 1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
    if (ec != std::errc() || end != text.data() + text.size() || bits > host.size() * 8) {
      return false;
    }
  }
  for (unsigned i = 0; i < bits; ++i) {
    unsigned mask = 0x80u >> (i % 8);
    if (((*network)[i / 8] & mask) != (host[i / 8] & mask)) return false;
  }
  return true;
}

bool name_matches(std::string_view token, std::string_view host) {
  if (!token.empty() && token.front() == '.') token.remove_prefix(1);
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  if (token.empty() || token.size() > host.size()) return false;
  if (token.size() == host.size()) return equals_ignoring_case(token, host);
  return host[host.size() - token.size() - 1] == '.' &&
         equals_ignoring_case(token, host.substr(host.size() - token.size()));
}

// A variable's value; nullopt when unset (an empty value is a value).
std::optional<std::string> env_value(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// The first of names that is set, and its name.
std::optional<std::pair<std::string, std::string>> first_set(
    const Getenv& getenv, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = env_value(getenv, name)) return std::make_pair(std::string(name), *value);
  }
  return std::nullopt;
}

}  // namespace

std::string ProxySettings::authority() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

std::string ProxySettings::display() const {
  return std::string("http://") + (has_credentials() ? "***@" : "") + authority();
}

std::string ProxySettings::authorization() const {
  if (!has_credentials()) return {};
  std::string plain = username + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(n));
  return "Basic " + encoded;
}

Outcome<ProxySettings> parse_proxy_url(std::string_view text) {
  auto parsed = parse_proxy_url_or_fail(text);
  if (!parsed) return Status::error(Code::kInvalid, "bad proxy URL: " + parsed.status().message());
  return parsed;
}

std::string redact_proxy_url(std::string_view text) {
  size_t sep = text.find("://");
  size_t start = sep == std::string_view::npos ? 0 : sep + 3;
  size_t at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  return std::string(text.substr(0, start)) + "***" + std::string(text.substr(at));
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  auto ip = parse_ip_literal(std::string(host));
  size_t pos = 0;
  while (pos < no_proxy.size()) {
    size_t end = no_proxy.find_first_of(", \t", pos);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string_view token = no_proxy.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    if (token == "*") return true;
    if (ip ? cidr_matches(token, *ip) : name_matches(token, host)) return true;
  }
  return false;
}

const char* system_getenv(const char* name) {
  return std::getenv(name);
}

Outcome<ProxyChoice> choose_proxy(const Url& target, const std::optional<std::string>& spec_url,
                                  bool spec_none, const Getenv& getenv) {
  if (spec_none) return ProxyChoice{std::nullopt, "spec.proxy.none"};
  if (spec_url) {
    auto proxy = parse_proxy_url(*spec_url);
    if (!proxy) return proxy.status().with_context("spec.proxy.url");
    return ProxyChoice{std::move(*proxy), "spec.proxy.url"};
  }
  // curl never reads upper-case HTTP_PROXY: CGI servers put a request's
  // "Proxy:" header there (httpoxy), so a client could be steered to a proxy
  // by whoever sent that request. HTTPS_PROXY has no such trap.
  auto chosen = target.tls ? first_set(getenv, {"https_proxy", "HTTPS_PROXY"})
                           : first_set(getenv, {"http_proxy"});
  if (!chosen) chosen = first_set(getenv, {"all_proxy", "ALL_PROXY"});
  if (!chosen || chosen->second.empty()) return ProxyChoice{std::nullopt, ""};
  if (auto no_proxy = first_set(getenv, {"no_proxy", "NO_PROXY"})) {
    if (no_proxy_matches(no_proxy->second, target.host)) {
      return ProxyChoice{std::nullopt, no_proxy->first};
    }
  }
  auto proxy = parse_proxy_url(chosen->second);
  if (!proxy) return proxy.status().with_context("environment variable " + chosen->first);
  return ProxyChoice{std::move(*proxy), chosen->first};
}

}  // namespace wsop::http
