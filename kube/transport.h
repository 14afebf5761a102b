// HTTP/1.1 to the Kubernetes API server, plain (tests) or TLS, with
//   - TLS verified by default and failing closed: the CA of the
//     configuration (file or data), else the system trust store; the
//     certificate must name the server's host (or tls-server-name); no
//     verification only when the configuration says insecure-skip-tls-verify;
//   - the client certificate and key of the configuration, when set;
//   - the bearer token (token.h); after a 401 the token file is re-read at
//     once and the request sent once more if the token changed;
//   - keep-alive: answered requests leave their connection in a small pool
//     for the next one; a pooled connection the server closed while idle is
//     replaced and the request sent again, except a POST;
//   - a deadline per request, covering connect, send and the whole answer;
//   - streaming answers (watches) on a connection of their own, read line by
//     line as the bytes arrive (chunked or not), never buffering more than
//     one line, each line at most max_line_bytes.
// Failures without an answer are kTransient (network, timeout) or kInvalid
// (TLS verification, unreadable certificates: no retry fixes them). Any
// answer, whatever its status, is returned as an HttpResponse: mapping
// statuses to Status is errors.h's business.
//
// Thread-safe; Beast stays inside kube/*.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "kube/config.h"
#include "kube/url.h"

namespace wsop::kube {

struct HttpRequest {
  std::string method;        // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string target;        // below the server's path prefix, with the query, encoded
  std::string body;          // empty: none
  std::string content_type;  // of the body
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;  // the raw Retry-After header, if any
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::size_t max_body_bytes = 256u << 20;  // a whole answer (a page of a list)
  std::size_t max_line_bytes = 16u << 20;   // one line of a stream (one watch event)
  std::size_t max_idle_connections = 8;
  std::chrono::milliseconds token_reread_after{60'000};  // token.h
  std::string user_agent = "workspace-operator";
};

// The lines of a streaming answer's body.
class LineStream {
 public:
  virtual ~LineStream() = default;
  // The next line, without its "\n" (or "\r\n"); nullopt at the end of the
  // body. Blocks until a line is whole, the body ends, idle_timeout passes
  // without a byte (kTransient), a line outgrows max_line_bytes (kInvalid)
  // or cancel() is called (kTransient, reason "Canceled").
  virtual Outcome<std::optional<std::string>> next_line() = 0;
  // From any thread: the blocked next_line() returns promptly, and every
  // later one fails. The stream must outlive the call.
  virtual void cancel() = 0;
};

class Transport {
 public:
  // kInvalid when the server URL, CA, certificate or key cannot be used, or
  // the token file cannot be read.
  static Outcome<std::shared_ptr<Transport>> create(const RestConfig& config,
                                                    TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // One exchange within `timeout`. *may_have_been_sent (when given) tells,
  // on failure, whether the server may have received the request.
  Outcome<HttpResponse> round_trip(const HttpRequest& request, std::chrono::milliseconds timeout,
                                   bool* may_have_been_sent = nullptr);

  // Sends the request on a new connection and reads the answer's head
  // within head_timeout. A 2xx answer: `lines` streams its body, each read
  // waiting at most idle_timeout. Any other: `lines` is null and
  // head.body holds the whole (bounded) answer.
  struct Stream {
    HttpResponse head;
    std::unique_ptr<LineStream> lines;
  };
  Outcome<Stream> open_stream(const HttpRequest& request, std::chrono::milliseconds head_timeout,
                              std::chrono::milliseconds idle_timeout);

  const ServerUrl& url() const;

  struct Impl;
  explicit Transport(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wsop::kube
