// A base URL split into what a connection needs.
#pragma once

#include <string>
#include <string_view>

#include "common/http/message.h"  // url_encode
#include "common/status.h"

namespace wsop::http {

struct Url {
  bool tls = true;
  std::string host;
  std::string port;       // "443" or "80" when the URL has none
  std::string base_path;  // "" or "/prefix" without a trailing slash

  std::string origin() const;  // "https://host[:port]"
  std::string host_header()
      const;                      // "host", "[v6]" or "host:port" when the port is not the default
  std::string host_port() const;  // "host:port" or "[v6]:port", as CONNECT names it
};

Outcome<Url> parse_url(std::string_view text);

}  // namespace wsop::http
