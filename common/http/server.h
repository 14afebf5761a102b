// An HTTP/1.1 server (Boost.Beast over Asio): keep-alive, concurrent
// connections on a small thread pool, optional TLS from PEM files, and a
// graceful stop. The handler is called on a pool thread, once per request,
// and must be thread-safe; it must not block for long (a Response's delay is
// waited for asynchronously, without holding a thread).
//
// Used by provider-sim and by the controller's /metrics endpoint.
//
// Hostile clients cost bounded resources (docs/OPERATIONS.md, "Health,
// limits and slow clients"):
//   - At most max_connections at once. At the cap, a new connection evicts
//     the one that has waited longest for a request head (an idle
//     keep-alive or a slow client); when every connection is busy with a
//     request, the new one is answered 503 (plain HTTP) and closed at once.
//   - A request head must arrive whole within header_timeout (of the
//     connection, or of the first byte of a later keep-alive request); its
//     body within body_timeout; an idle keep-alive closes after
//     idle_timeout.
//   - Out of descriptors (EMFILE, ENFILE), the accept loop waits
//     accept_backoff before it tries again instead of spinning, and warns at
//     most once per warning_interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/http/message.h"
#include "common/status.h"

namespace wsop::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; see Server::port()
  int threads = 2;
  // Both set: serve HTTPS with this certificate chain and private key (PEM).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::chrono::milliseconds idle_timeout{60'000};    // an idle keep-alive connection closes
  std::chrono::milliseconds header_timeout{10'000};  // the request line and headers
  std::chrono::milliseconds body_timeout{60'000};    // the body, after the head
  std::size_t body_limit = 8 * 1024 * 1024;
  // Connections open at once. Lowered at start() to leave descriptor_reserve
  // descriptors (at most half of RLIMIT_NOFILE) to the rest of the process.
  std::size_t max_connections = 1024;
  std::size_t descriptor_reserve = 64;
  std::chrono::milliseconds accept_backoff{100};
  std::chrono::milliseconds warning_interval{10'000};
  // Told, at most once per warning_interval, that connections were shed or
  // descriptors ran out. Called on a pool thread; must not block.
  std::function<void(const std::string&)> on_warning;
};

// The process's RLIMIT_NOFILE soft limit, raised to its hard limit (as Go
// does at start): a server's connections and every other descriptor share
// it, and the usual soft default of 1,024 is far below what the hard limit
// allows.
struct DescriptorLimit {
  std::uint64_t before = 0;  // the soft limit found
  std::uint64_t soft = 0;    // the soft limit now
  std::uint64_t hard = 0;
};
Outcome<DescriptorLimit> raise_descriptor_limit();

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Fails on a bad address, a port in
  // use, or unreadable TLS files.
  Status start();

  // Stops accepting, lets responses being written finish and closes every
  // connection, then joins the threads; after `grace` remaining work is
  // abandoned. Idempotent. Must not be called from a handler (it joins the
  // pool threads).
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // The cap on open connections in force (after start()).
  std::size_t max_connections() const;
  // The bound port (after start()).
  std::uint16_t port() const;
  // "http://address:port" or "https://address:port".
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wsop::http
