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
};

Outcome<Url> parse_url(std::string_view text);

}  // namespace wsop::http
