#include "common/http/server.h"

#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/http/server_guard.h"
#include "common/http/server_session.h"

namespace wsop::http {
namespace {

using namespace detail;  // NOLINT: the session types of server_session.h

// Everything one server owns. Member order matters: sessions still queued in
// the io_context when it is destroyed unregister through mu and sessions, and
// TLS streams refer to tls, so those outlive ioc.
class Core : public SessionHost {
 public:
  Core(ServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  Status start();
  void stop(std::chrono::milliseconds grace);
  std::uint16_t port() const { return port_; }
  bool secure() const { return tls_.has_value(); }
  const ServerOptions& options() const override { return options_; }

  Response call(const Request& request) const override;
  void unregister(SessionBase* session) override;

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
