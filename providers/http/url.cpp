#include "providers/http/url.h"

#include <cctype>

namespace wsop::http {

std::string Url::origin() const {
  std::string out = (tls ? "https://" : "http://") + host;
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  if (!default_port) out += ":" + port;
  return out;
}

namespace {

std::string bracketed_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string Url::host_header() const {
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  return default_port ? bracketed_host(host) : host_port();
}

std::string Url::host_port() const {
  return bracketed_host(host) + ":" + port;
}

Outcome<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.substr(0, 8) == "https://") {
    rest = text.substr(8);
  } else if (text.substr(0, 7) == "http://") {
    url.tls = false;
    rest = text.substr(7);
  } else {
    return Status::error(Code::kInvalid, "URL must start with http:// or https://");
  }
  size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) url.base_path = std::string(rest.substr(path_start));
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  if (authority.empty()) return Status::error(Code::kInvalid, "URL has no host");
  size_t colon = authority.rfind(':');
  bool bracketed = authority.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
    url.host = std::string(authority.substr(0, colon));
    url.port = std::string(authority.substr(colon + 1));
    for (char c : url.port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return Status::error(Code::kInvalid, "URL port is not a number");
      }
    }
  } else {
    url.host = std::string(authority);
    url.port = url.tls ? "443" : "80";
  }
  if (bracketed && url.host.size() > 2) url.host = url.host.substr(1, url.host.size() - 2);
  if (url.host.empty()) return Status::error(Code::kInvalid, "URL has no host");
  return url;
}

}  // namespace wsop::http
