#include "common/http/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "common/http/server_guard.h"

namespace wsop::http {
namespace {

using detail::GuardEvent;
using detail::GuardWarnings;

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
  bool evicted = false;  // guarded by Core::mu_
};

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Everything one server owns. Member order matters: sessions still queued in
// the io_context when it is destroyed unregister through mu and sessions, and
// TLS streams refer to tls, so those outlive ioc.
class Core {
 public:
  Core(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  Status start();
  void stop(std::chrono::milliseconds grace);
  std::uint16_t port() const { return port_; }
  bool secure() const { return tls_.has_value(); }
  const ServerOptions& options() const { return options_; }

  Response call(const Request& request) const;
  void unregister(SessionBase* session);

  std::size_t max_connections() const { return cap_; }

 private:
  Status open_listener();
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void accept_later();
  void admit(tcp::socket socket);
  std::weak_ptr<SessionBase> take_oldest_waiter();
  void evict_oldest_waiter();
  void start_session(tcp::socket socket);
  void note(GuardEvent event);

  ServerOptions options_;
  Handler handler_;
  std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;  // guarded by mu_
  std::size_t evicting_ = 0;  // sessions_ told to close for a newer one; guarded by mu_
  bool started_ = false;      // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::size_t cap_ = 0;       // set by start()
  std::optional<asio::ssl::context> tls_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_{asio::make_strand(ioc_)};
  asio::steady_timer accept_timer_{acceptor_.get_executor()};
  GuardWarnings warnings_;  // on the acceptor's strand only
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
};

Request to_request(bhttp::request<bhttp::string_body>&& req, bool secure) {
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

  Session(Core& core, tcp::socket&& socket) requires(!kTls)
      : core_(core), stream_(std::move(socket)), timer_(stream_.get_executor()) {}
  Session(Core& core, tcp::socket&& socket, asio::ssl::context& tls) requires(kTls)
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

  Core& core_;
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

Status Core::open_listener() {
  try {
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
      if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
        return Status::error(Code::kInvalid, "TLS needs both a certificate and a key file");
      }
      tls_.emplace(asio::ssl::context::tls_server);
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
      tls_->use_certificate_chain_file(options_.tls_cert_file);
      tls_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
    }
    tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    return Status::error(Code::kInvalid, "listen on " + options_.address + ":" +
                                             std::to_string(options_.port) + ": " + e.what());
  }
  return Status::ok();
}

Status Core::start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return Status::error(Code::kInternal, "server already started");
  }
  if (Status s = open_listener(); !s.is_ok()) return s;
  cap_ = detail::connection_cap(options_.max_connections, options_.descriptor_reserve);
  std::lock_guard lock(mu_);
  started_ = true;
  do_accept();
  int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      // Handlers catch their own exceptions; this only keeps a thread alive
      // should one escape anyway.
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception&) {
        }
      }
    });
  }
  return Status::ok();
}

void Core::do_accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&Core::on_accept, this));
}

void Core::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec && ec.category() == boost::system::system_category() &&
      detail::out_of_descriptors(ec.value())) {
    // The listening socket stays readable, so accepting again at once fails
    // again at once: a busy loop. A waiting connection's descriptor is
    // freed, and the next accept waits.
    note(GuardEvent::kOutOfDescriptors);
    evict_oldest_waiter();
    return accept_later();
  }
  if (!ec) admit(std::move(socket));
  do_accept();  // other errors belong to one connection (reset before accept)
}

void Core::accept_later() {
  accept_timer_.expires_after(options_.accept_backoff);
  accept_timer_.async_wait([this](beast::error_code ec) {
    if (ec || !acceptor_.is_open()) return;
    do_accept();
  });
}

// At the cap, the connection that has waited longest for a request head
// makes room for the new one: a slow or idle client loses its place rather
// than a new client (a health probe) being refused. With none waiting, every
// connection is busy with a request, and the new one is shed.
void Core::admit(tcp::socket socket) {
  bool at_cap = false;
  std::weak_ptr<SessionBase> victim;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    at_cap = sessions_.size() - evicting_ >= cap_;
    if (at_cap) victim = take_oldest_waiter();
  }
  if (at_cap && victim.expired()) {
    detail::write_unavailable(socket.native_handle());
    beast::error_code ignored;
    socket.close(ignored);
    return note(GuardEvent::kShed);
  }
  if (auto session = victim.lock()) {
    session->shutdown();
    note(GuardEvent::kEvicted);
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  start_session(std::move(socket));
}

// Marks the oldest session waiting for a request head as evicted; caller
// holds mu_ and shuts it down after releasing it (its last reference may
// go there, and its destructor takes mu_).
std::weak_ptr<SessionBase> Core::take_oldest_waiter() {
  SessionBase* oldest = nullptr;
  std::int64_t oldest_since = 0;
  for (const auto& [session, weak] : sessions_) {
    std::int64_t since = session->waiting_since.load();
    if (since == 0 || session->evicted) continue;
    if (!oldest || since < oldest_since) oldest = session, oldest_since = since;
  }
  if (!oldest) return {};
  oldest->evicted = true;
  ++evicting_;
  return sessions_.at(oldest);
}

void Core::evict_oldest_waiter() {
  std::weak_ptr<SessionBase> victim;
  {
    std::lock_guard lock(mu_);
    victim = take_oldest_waiter();
  }
  if (auto session = victim.lock()) session->shutdown();
}

void Core::note(GuardEvent event) {
  auto message = warnings_.note(event, options_.warning_interval);
  if (message && options_.on_warning) options_.on_warning(*message);
}

void Core::start_session(tcp::socket socket) {
  std::shared_ptr<SessionBase> session;
  std::function<void()> run;
  if (tls_) {
    auto s = std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls_);
    run = [s] { s->run(); };
    session = s;
  } else {
    auto s = std::make_shared<Session<PlainStream>>(*this, std::move(socket));
    run = [s] { s->run(); };
    session = s;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;  // the socket closes with the session
    sessions_.emplace(session.get(), session);
  }
  run();
}

void Core::unregister(SessionBase* session) {
  std::lock_guard lock(mu_);
  if (session->evicted) --evicting_;
  sessions_.erase(session);
  if (sessions_.empty()) drained_.notify_all();
}

Response Core::call(const Request& request) const {
  try {
    return handler_(request);
  } catch (const std::exception&) {
    Response r;
    r.status = 500;
    r.body = R"({"error":"internal server error"})";
    return r;
  }
}

void Core::stop(std::chrono::milliseconds grace) {
  std::vector<std::weak_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
    for (const auto& [ptr, weak] : sessions_) live.push_back(weak);
  }
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
  });
  for (const auto& weak : live) {
    if (auto session = weak.lock()) session->shutdown();
  }
  {
    std::unique_lock lock(mu_);
    drained_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  }
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, Handler handler) : core(std::move(options), std::move(handler)) {}
  Core core;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

Status Server::start() {
  return impl_->core.start();
}

void Server::stop(std::chrono::milliseconds grace) {
  impl_->core.stop(grace);
}

std::size_t Server::max_connections() const {
  return impl_->core.max_connections();
}

std::uint16_t Server::port() const {
  return impl_->core.port();
}

std::string Server::url() const {
  std::string host = impl_->core.options().address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(impl_->core.secure() ? "https" : "http") + "://" + host + ":" +
         std::to_string(port());
}

}  // namespace wsop::http
