// The API server's address, split for the transport: "https://host:port/prefix".
// kube/ keeps its own small parser rather than reach into providers/http.
#pragma once

#include <string>

#include "common/status.h"

namespace wsop::kube {

struct ServerUrl {
  bool tls = true;
  std::string host;         // without brackets for IPv6
  std::string port;         // "443" or "80" when absent
  std::string path_prefix;  // "" or "/prefix", no trailing '/'

  // "host:port", brackets around an IPv6 host.
  std::string host_port() const;
  // "https://host:port", for messages.
  std::string origin() const;
};

// kInvalid for anything but http(s)://host[:port][/path] (no user info,
// query or fragment).
Outcome<ServerUrl> parse_server_url(const std::string& text);

}  // namespace wsop::kube
