// An HTTP/1.1 server (Boost.Beast over Asio): keep-alive, concurrent
// connections on a small thread pool, optional TLS from PEM files, and a
// graceful stop. The handler is called on a pool thread, once per request,
// and must be thread-safe; it must not block for long (a Response's delay is
// waited for asynchronously, without holding a thread).
//
// Used by provider-sim and by the controller's /metrics endpoint.
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
  std::chrono::milliseconds idle_timeout{60'000};  // an idle keep-alive connection closes
  std::size_t body_limit = 8 * 1024 * 1024;
};

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

  // The bound port (after start()).
  std::uint16_t port() const;
  // "http://address:port" or "https://address:port".
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wsop::http
