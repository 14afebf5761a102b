// A small HTTP proxy on 127.0.0.1 for the proxy tests (issue 16, point 4):
// CONNECT opens a tunnel (bytes copied both ways, so TLS runs end to end
// through it), and absolute-form requests (GET http://host:port/path) are
// forwarded, one upstream connection each. It counts what it saw, and
// answers 407 when the Proxy-Authorization header is not the one required.
// It connects to 127.0.0.1 only: any other target gets 403.
//
// Blocking sockets, a thread per client connection (and one more per
// tunnel); the destructor shuts every socket down and joins them all.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace wsop::itest {

class ConnectProxy {
 public:
  using tcp = boost::asio::ip::tcp;

  // required_authorization: the Proxy-Authorization value every request
  // must carry ("Basic ..."), or empty for none.
  explicit ConnectProxy(std::string required_authorization = "")
      : required_(std::move(required_authorization)),
        acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    accepting_ = std::thread([this] { accept_loop(); });
  }

  ~ConnectProxy() {
    stopping_ = true;
    {
      // Wakes the blocking accept.
      tcp::socket poke(io_);
      boost::system::error_code ec;
      poke.connect(acceptor_.local_endpoint(), ec);
    }
    accepting_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  int connections() const { return connections_; }  // client connections accepted
  int tunnels() const { return tunnels_; }          // CONNECTs answered 200
  int forwarded() const { return forwarded_; }      // absolute-form requests passed on
  int refused() const { return refused_; }          // answered 407 or 403
  std::vector<std::string> targets() const {        // request targets, in order
    std::lock_guard lock(mu_);
    return targets_;
  }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void accept_loop() {
    while (true) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (stopping_) return;
      if (ec) continue;
      ++connections_;
      std::lock_guard lock(mu_);
      open_fds_.insert(socket->native_handle());
      threads_.emplace_back([this, socket] {
        serve(*socket);
        untrack(socket->native_handle());  // before the socket closes its descriptor
      });
    }
  }

  // Requests on one client connection until it closes or a tunnel ends it.
  void serve(tcp::socket& client) {
    boost::beast::flat_buffer buffer;
    while (!stopping_) {
      Request request;
      boost::system::error_code ec;
      boost::beast::http::read(client, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mu_);
        targets_.push_back(std::string(request.target()));
      }
      if (!required_.empty() &&
          request[boost::beast::http::field::proxy_authorization] != required_) {
        answer(client, "407 Proxy Authentication Required",
               "Proxy-Authenticate: Basic realm=\"test\"\r\n");
        return;
      }
      if (request.method() == boost::beast::http::verb::connect) {
        tunnel(client, std::string(request.target()), buffer);
        return;
      }
      if (!forward(client, request)) return;
    }
  }

  // Tunnels' 200 has no Content-Length (a CONNECT answer has no body).
  void answer(tcp::socket& client, const std::string& status, const std::string& headers = "") {
    bool success = status.rfind("2", 0) == 0;
    if (!success) ++refused_;
    std::string text =
        "HTTP/1.1 " + status + "\r\n" + headers + (success ? "" : "Content-Length: 0\r\n") + "\r\n";
    boost::system::error_code ec;
    boost::asio::write(client, boost::asio::buffer(text), ec);
  }

  // Shutting down a descriptor already closed could hit a socket that
  // reused its number: one leaves the set before it closes.
  void untrack(int fd) {
    std::lock_guard lock(mu_);
    open_fds_.erase(fd);
  }

  // Untracks a socket when it goes out of scope (declared after it).
  struct Untrack {
    ConnectProxy* proxy;
    std::shared_ptr<tcp::socket> socket;
    ~Untrack() {
      if (socket) proxy->untrack(socket->native_handle());
    }
  };

  // A connection to 127.0.0.1:port (authority "127.0.0.1:port"), or none.
  std::shared_ptr<tcp::socket> dial(const std::string& authority) {
    const std::string prefix = "127.0.0.1:";
    if (authority.rfind(prefix, 0) != 0) return nullptr;
    auto port = static_cast<unsigned short>(std::stoi(authority.substr(prefix.size())));
    auto upstream = std::make_shared<tcp::socket>(io_);
    boost::system::error_code ec;
    upstream->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return nullptr;
    std::lock_guard lock(mu_);
    open_fds_.insert(upstream->native_handle());
    return upstream;
  }

  void tunnel(tcp::socket& client, const std::string& authority, boost::beast::flat_buffer& early) {
    auto upstream = dial(authority);
    if (!upstream) return answer(client, "403 Forbidden");
    Untrack untrack_upstream{this, upstream};
    ++tunnels_;
    answer(client, "200 Connection established");
    boost::system::error_code ec;
    if (early.size() != 0) boost::asio::write(*upstream, early.data(), ec);
    std::thread back([&] { pump(*upstream, client); });
    pump(client, *upstream);
    back.join();
  }

  // Copies from -> to until from ends, then ends to's sending side.
  static void pump(tcp::socket& from, tcp::socket& to) {
    char data[16384];
    boost::system::error_code ec;
    while (true) {
      size_t n = from.read_some(boost::asio::buffer(data), ec);
      if (ec) break;
      boost::asio::write(to, boost::asio::buffer(data, n), ec);
      if (ec) break;
    }
    ::shutdown(to.native_handle(), SHUT_WR);
  }

  // Passes one absolute-form request on; false when the client connection
  // must end.
  bool forward(tcp::socket& client, Request request) {
    std::string target(request.target());
    const std::string scheme = "http://";
    if (target.rfind(scheme, 0) != 0) {
      answer(client, "400 Bad Request");
      return false;
    }
    size_t slash = target.find('/', scheme.size());
    auto upstream = dial(target.substr(scheme.size(), slash - scheme.size()));
    if (!upstream) {
      answer(client, "403 Forbidden");
      return false;
    }
    Untrack untrack_upstream{this, upstream};
    ++forwarded_;
    request.target(slash == std::string::npos ? "/" : target.substr(slash));
    request.erase(boost::beast::http::field::proxy_authorization);
    boost::system::error_code ec;
    boost::beast::http::write(*upstream, request, ec);
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> response;
    if (!ec) boost::beast::http::read(*upstream, buffer, response, ec);
    ::shutdown(upstream->native_handle(), SHUT_RDWR);
    if (ec) return false;
    boost::beast::http::write(client, response, ec);
    return !ec && response.keep_alive();
  }

  const std::string required_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0}, tunnels_{0}, forwarded_{0}, refused_{0};
  mutable std::mutex mu_;
  std::set<int> open_fds_;
  std::vector<std::string> targets_;
  std::vector<std::thread> threads_;
  std::thread accepting_;
};

}  // namespace wsop::itest
