// Internal to kube/: one HTTP/1.1 connection (plain or TLS) driven
// synchronously on an io_context of its own, used by one thread at a time;
// only cancel() may be called from another thread. The transport
// (transport.cpp) builds exchanges and streams on it.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "kube/config.h"
#include "kube/url.h"

namespace wsop::kube::detail {

using Parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
using Request = boost::beast::http::request<boost::beast::http::string_body>;

class Channel {
 public:
  virtual ~Channel() = default;
  // The deadline of the operations that follow.
  virtual void expire_after(std::chrono::milliseconds timeout) = 0;
  virtual boost::beast::error_code write(Request& request) = 0;
  virtual boost::beast::error_code read_header(Parser& parser) = 0;
  // Reads some of the body into the parser's buffer (need_buffer is not an
  // error: the buffer is full).
  virtual boost::beast::error_code read_some(Parser& parser) = 0;
  // Thread-safe: aborts the operation running, and every later one.
  virtual void cancel() = 0;

  bool reusable = true;  // false once a failure or "Connection: close" ends it
};

// The TLS settings of a configuration, loaded once (trust store, client
// certificate) and shared by the connections. Null for an http:// server.
class TlsSetup;
Outcome<std::shared_ptr<TlsSetup>> make_tls_setup(const RestConfig& config, const ServerUrl& url);

// Resolves, connects and (for https) does the handshake within timeout.
// Failures: kTransient (resolve, connect, reset) or kInvalid (the
// certificate does not verify).
Outcome<std::unique_ptr<Channel>> open_channel(const ServerUrl& url,
                                               const std::shared_ptr<TlsSetup>& tls,
                                               std::chrono::milliseconds timeout);

// "timed out" for Beast's timeout, else the error's message.
std::string describe(const boost::beast::error_code& ec);

}  // namespace wsop::kube::detail
