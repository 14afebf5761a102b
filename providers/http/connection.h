// One HTTP/1.1 connection (plain or TLS) to one origin, used by one thread
// at a time. Each step has a deadline; a failure says whether the request
// may have reached the server, which decides if a create is ambiguous.
// Beast stays inside connection.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/http/cutoff.h"
#include "providers/http/proxy.h"
#include "providers/http/url.h"

namespace wsop::http {

struct TlsSettings {
  std::string ca_file;  // empty: the system trust store
  bool insecure_skip_verify = false;
};

// The TLS settings made ready once per client (trust store loaded), shared
// by its connections.
class TlsContext {
 public:
  static Outcome<std::shared_ptr<TlsContext>> create(const TlsSettings& settings);
  virtual ~TlsContext() = default;
  const TlsSettings& settings() const { return settings_; }

 protected:
  explicit TlsContext(TlsSettings settings) : settings_(std::move(settings)) {}

 private:
  TlsSettings settings_;
};

struct WireRequest {
  std::string method;
  std::string target;  // path and query, already encoded
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WireResponse {
  int status = 0;
  std::string body;
  std::string retry_after;  // the raw header, if any
  bool keep_alive = true;
};

struct ExchangeFailure {
  Status status;            // kTransient (network, timeout) or kInvalid (TLS verification...)
  bool may_have_been_sent;  // false: failed before a byte of the request left
  // The peer closed or reset the connection (not a timeout): on a pooled
  // connection, the sign that the server dropped it while it sat idle.
  bool closed_by_peer = false;
};

struct Deadlines {
  std::chrono::milliseconds connect;
  std::chrono::milliseconds request;
};

class Connection {
 public:
  // Opens the connection (resolve, connect, TLS handshake with SNI and
  // verification). Fails with may_have_been_sent = false.
  // tls may be null for http:// URLs.
  // Through a proxy: connects to the proxy; for an https URL, opens a
  // CONNECT tunnel to url's host and port (within the connect deadline)
  // and does the TLS handshake with url's host through it; for an http URL,
  // sends every request in absolute form (http://host:port/path). Proxy
  // credentials go in Proxy-Authorization only, never in a message.
  static std::unique_ptr<Connection> open(const Url& url, const std::shared_ptr<TlsContext>& tls,
                                          const Deadlines& deadlines, ExchangeFailure& failure,
                                          const std::optional<ProxySettings>& proxy = std::nullopt);
  virtual ~Connection() = default;

  // Sends request and reads the answer (at most max_body_bytes of body),
  // skipping interim 1xx answers (at most kMaxInterimResponses of them).
  // With a cutoff, the exchange is abandoned once its finish_by() passes,
  // even one moved earlier while the exchange runs (a signal): the failure
  // then says the request may have been sent.
  virtual bool exchange(const WireRequest& request, size_t max_body_bytes,
                        std::chrono::milliseconds deadline, WireResponse& response,
                        ExchangeFailure& failure, const Cutoff* cutoff) = 0;
  virtual bool is_open() const = 0;

  // Interim answers (100 Continue, 103 Early Hints) skipped before the
  // final one; one more fails the exchange. HTTP allows any number, so the
  // cap only stops a server that never gets to its answer.
  static constexpr int kMaxInterimResponses = 32;
};

}  // namespace wsop::http
