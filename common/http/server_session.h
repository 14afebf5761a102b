// The connections of common/http/server.cpp: one Session per connection,
// plain or TLS, reading requests under the deadlines of ServerOptions and
// writing the handler's answers. Internal to the server.
#pragma once

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "common/http/server.h"

namespace wsop::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Thread-safe: asks the session to finish its current write and close.
  virtual void shutdown() = 0;

  // Since when (steady clock, ns) it waits for a request head; 0 while it
  // handles a request. The oldest waiter is evicted at the connection cap.
  std::atomic<std::int64_t> waiting_since{0};
  bool evicted = false;  // guarded by the host's lock
};

inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a session needs of the server that owns it.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual const ServerOptions& options() const = 0;
  // The handler's answer; an exception becomes a 500.
  virtual Response call(const Request& request) const = 0;
  // From the session's destructor.
  virtual void unregister(SessionBase* session) = 0;
};

inline Request to_request(bhttp::request<bhttp::string_body>&& req, bool secure) {
  Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  out.body = std::move(req.body());
  out.secure = secure;
  return out;
}

// One connection. Every handler runs on the connection's strand, so the
// members need no lock.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(SessionHost& core, tcp::socket&& socket) requires(!kTls)
      : core_(core), stream_(std::move(socket)), timer_(stream_.get_executor()) {}
  Session(SessionHost& core, tcp::socket&& socket, asio::ssl::context& tls) requires(kTls)
      : core_(core), stream_(std::move(socket), tls), timer_(stream_.get_executor()) {}
  ~Session() override { core_.unregister(this); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      // A response being written is finished first; on_write then closes.
      if (self->phase_ != Phase::kWriting) self->close_now();
    });
  }

 private:
  enum class Phase { kHandshake, kReading, kDelaying, kWriting, kHanging, kClosed };

  auto self() { return this->shared_from_this(); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // The first request's head (and the TLS handshake) must arrive within
  // header_timeout of the connection: a client that sends nothing, or a
  // byte at a time, is closed then (or evicted sooner at the cap).
  void begin() {
    waiting_since = steady_now_ns();
    head_deadline_ = std::chrono::steady_clock::now() + core_.options().header_timeout;
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      lowest().expires_at(head_deadline_);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&Session::on_handshake, self()));
    } else {
      do_read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return close_now();
    do_read();
  }

  void do_read() {
    if (stopping_) return close_gracefully();
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->body_limit(core_.options().body_limit);
    waiting_since = steady_now_ns();
    if (served_ == 0) return read_head();
    if (buffer_.size() > 0) return start_head();  // a pipelined request
    // Idle keep-alive: wait for the next request's first bytes.
    lowest().expires_after(core_.options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::on_first_bytes, self()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return ec == asio::error::eof ? close_gracefully() : close_now();
    buffer_.commit(bytes);
    start_head();
  }

  void start_head() {
    head_deadline_ = std::chrono::steady_clock::now() + core_.options().header_timeout;
    read_head();
  }

  void read_head() {
    lowest().expires_at(head_deadline_);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_head, self()));
  }

  void on_head(beast::error_code ec, std::size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec == bhttp::error::end_of_stream) return close_gracefully();
    if (ec) return close_now();
    waiting_since = 0;  // busy with a request: never evicted for a newer connection
    if (parser_->is_done()) return on_read({}, 0);
    lowest().expires_after(core_.options().body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, self()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec == bhttp::error::end_of_stream) return close_gracefully();
    if (ec) return close_now();
    ++served_;
    keep_alive_ = parser_->get().keep_alive();
    pending_ = core_.call(to_request(parser_->release(), kTls));
    if (pending_.delay.count() <= 0) return perform();
    phase_ = Phase::kDelaying;
    timer_.expires_after(pending_.delay);
    timer_.async_wait([self = self()](beast::error_code wait_ec) {
      if (wait_ec || self->stopping_) return self->close_now();
      self->perform();
    });
  }

  void perform() {
    switch (pending_.disposition) {
      case Disposition::kRespond: return write();
      case Disposition::kReset: return reset();
      case Disposition::kClose: return close_gracefully();
      case Disposition::kHang: return hang();
    }
  }

  void write() {
    phase_ = Phase::kWriting;
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(pending_.status));
    res_.set(bhttp::field::server, "wsop");
    bool bodiless = pending_.status == 204 || pending_.status == 304;
    if (!bodiless) res_.set(bhttp::field::content_type, pending_.content_type);
    for (const auto& [name, value] : pending_.headers) res_.insert(name, value);
    if (!bodiless) res_.body() = std::move(pending_.body);
    res_.keep_alive(keep_alive_ && !stopping_);
    res_.prepare_payload();
    lowest().expires_after(std::chrono::seconds(30));
    bhttp::async_write(stream_, res_, beast::bind_front_handler(&Session::on_write, self()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return close_now();
    if (!res_.keep_alive()) return close_gracefully();
    do_read();
  }

  // Waits for the peer to give up: any read completion (EOF, data, error or
  // our own close on stop) ends the connection without an answer.
  void hang() {
    phase_ = Phase::kHanging;
    lowest().expires_never();
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = self()](beast::error_code, std::size_t) { self->close_now(); });
  }

  // SO_LINGER 0 turns close() into a TCP RST: the client sees ECONNRESET.
  void reset() {
    phase_ = Phase::kClosed;
    beast::error_code ec;
    lowest().socket().set_option(asio::socket_base::linger(true, 0), ec);
    lowest().socket().close(ec);
  }

  void close_gracefully() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = self()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      close_now();
    }
  }

  void close_now() {
    phase_ = Phase::kClosed;
    waiting_since = 0;
    timer_.cancel();
    beast::error_code ec;
    lowest().socket().close(ec);
  }

  SessionHost& core_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  Response pending_;
  char scratch_[512];
  Phase phase_ = Phase::kReading;
  std::chrono::steady_clock::time_point head_deadline_;
  std::uint64_t served_ = 0;  // requests read on this connection
  bool keep_alive_ = true;
  bool stopping_ = false;
};

}  // namespace wsop::http::detail
