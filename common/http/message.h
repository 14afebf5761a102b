// Plain HTTP request and response values, free of Boost.Beast, so that
// handlers (the provider simulators, the metrics endpoint) compile without the
// heavy Beast headers. The server (server.h) converts to and from Beast.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsop::http {

struct Request {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as sent: path plus optional "?query"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool secure = false;  // arrived over TLS; lets handlers build absolute URLs

  // The target up to '?', not decoded.
  std::string_view path() const;
  // The target after '?', not decoded; empty when there is none.
  std::string_view query() const;
  // The first value of a query parameter, percent- and '+'-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
  // A header by case-insensitive name.
  std::optional<std::string> header(std::string_view name) const;
};

// What the server does with a handler's answer. Everything but kRespond
// exists for fault injection: the client must see the failure modes of a
// real network.
enum class Disposition {
  kRespond,  // send the response
  kReset,    // abort the connection (TCP RST) without answering
  kClose,    // close the connection cleanly (FIN) without answering
  kHang,     // never answer; keep the connection open until the peer or stop() closes it
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before acting
  Disposition disposition = Disposition::kRespond;

  Response& set_header(std::string name, std::string value);
};

// ASCII lower case (header names are case-insensitive).
std::string lower(std::string_view text);

// Percent-decoding of URL components; '+' becomes a space when plus_is_space.
std::string url_decode(std::string_view text, bool plus_is_space = true);
// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace wsop::http
