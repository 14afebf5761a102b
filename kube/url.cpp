#include "kube/url.h"

#include <algorithm>

namespace wsop::kube {

std::string ServerUrl::host_port() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

std::string ServerUrl::origin() const {
  return (tls ? "https://" : "http://") + host_port();
}

Outcome<ServerUrl> parse_server_url(const std::string& text) {
  auto invalid = [&](const std::string& why) {
    return Status::error(Code::kInvalid, "server URL \"" + text + "\": " + why);
  };
  ServerUrl url;
  std::string rest;
  if (text.rfind("https://", 0) == 0) {
    rest = text.substr(8);
  } else if (text.rfind("http://", 0) == 0) {
    url.tls = false;
    rest = text.substr(7);
  } else {
    return invalid("must start with https:// or http://");
  }
  if (rest.find_first_of("?#@") != std::string::npos) {
    return invalid("must not have user info, a query or a fragment");
  }
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) url.path_prefix = rest.substr(slash);
  while (!url.path_prefix.empty() && url.path_prefix.back() == '/') url.path_prefix.pop_back();
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string::npos) return invalid("unclosed '['");
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return invalid("junk after ']'");
      port = authority.substr(close + 2);
    }
  } else {
    std::size_t colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return invalid("no host");
  if (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
                        std::stoi(port) == 0 || std::stoi(port) > 65535)) {
    return invalid("bad port");
  }
  url.port = port.empty() ? (url.tls ? "443" : "80") : port;
  return url;
}

}  // namespace wsop::kube
