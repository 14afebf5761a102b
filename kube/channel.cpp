#include "kube/channel.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace wsop::kube::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

class TlsSetup {
 public:
  TlsSetup() : context(ssl::context::tls_client) {}
  ssl::context context;
  std::string verify_name;  // the name the certificate must carry
  bool verify = true;
};

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

namespace {

// The CA, or the system store; failing closed: a CA that cannot be loaded
// is an error, never a fall back to no verification.
Status load_trust(const RestConfig& config, ssl::context& context) {
  beast::error_code ec;
  std::string from;
  if (!config.ca_data.empty()) {
    context.add_certificate_authority(asio::buffer(config.ca_data), ec);
    from = " from certificate-authority-data";
  } else if (!config.ca_file.empty()) {
    context.load_verify_file(config.ca_file, ec);
    from = " from " + config.ca_file;
  } else {
    context.set_default_verify_paths(ec);
  }
  if (ec) {
    return Status::error(Code::kInvalid, "loading CA certificates" + from + ": " + describe(ec));
  }
  context.set_verify_mode(ssl::verify_peer);
  return Status::ok();
}

Status load_client_certificate(const RestConfig& config, ssl::context& context) {
  beast::error_code ec;
  if (!config.client_cert_data.empty()) {
    context.use_certificate_chain(asio::buffer(config.client_cert_data), ec);
  } else if (!config.client_cert_file.empty()) {
    context.use_certificate_chain_file(config.client_cert_file, ec);
  } else {
    return Status::ok();
  }
  if (ec) return Status::error(Code::kInvalid, "loading the client certificate: " + describe(ec));
  if (!config.client_key_data.empty()) {
    context.use_private_key(asio::buffer(config.client_key_data), ssl::context::pem, ec);
  } else {
    context.use_private_key_file(config.client_key_file, ssl::context::pem, ec);
  }
  // The key's bytes never go in the message: only that it failed.
  if (ec) return Status::error(Code::kInvalid, "loading the client key: " + describe(ec));
  return Status::ok();
}

template <class Stream>
class ChannelOf : public Channel {
 public:
  ChannelOf(std::unique_ptr<asio::io_context> io, std::unique_ptr<Stream> stream,
            std::shared_ptr<TlsSetup> tls)
      : tls_(std::move(tls)), io_(std::move(io)), stream_(std::move(stream)) {}

  void expire_after(std::chrono::milliseconds timeout) override {
    beast::get_lowest_layer(*stream_).expires_after(timeout);
  }
  beast::error_code write(Request& request) override {
    return run([&](auto handler) { bhttp::async_write(*stream_, request, handler); });
  }
  beast::error_code read_header(Parser& parser) override {
    return run([&](auto handler) { bhttp::async_read_header(*stream_, buffer_, parser, handler); });
  }
  beast::error_code read_some(Parser& parser) override {
    beast::error_code ec =
        run([&](auto handler) { bhttp::async_read_some(*stream_, buffer_, parser, handler); });
    return ec == bhttp::error::need_buffer ? beast::error_code() : ec;
  }
  void cancel() override {
    canceled_ = true;
    // Posted: the socket is only ever touched on the thread running io_.
    asio::post(*io_, [this] { beast::get_lowest_layer(*stream_).cancel(); });
  }

 private:
  template <class Initiate>
  beast::error_code run(Initiate initiate) {
    if (canceled_) {
      reusable = false;
      return asio::error::operation_aborted;
    }
    beast::error_code ec;
    initiate([&ec](beast::error_code e, std::size_t) { ec = e; });
    io_->restart();
    io_->run();
    if (ec) reusable = false;
    return ec;
  }

  // Declaration order is destruction order reversed: the stream goes first.
  std::shared_ptr<TlsSetup> tls_;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::atomic<bool> canceled_{false};
};

Outcome<tcp::resolver::results_type> resolve(const ServerUrl& url,
                                             std::chrono::milliseconds timeout) {
  beast::error_code not_ip;
  auto address = asio::ip::make_address(url.host, not_ip);
  if (!not_ip) {
    auto port = static_cast<unsigned short>(std::stoi(url.port));
    return tcp::resolver::results_type::create(tcp::endpoint(address, port), url.host, url.port);
  }
  // A short-lived io_context: Asio keeps a resolver thread per io_context
  // that resolved, which the connection's own would keep for its life.
  asio::io_context io(1);
  tcp::resolver resolver(io);
  asio::steady_timer timer(io, timeout);
  beast::error_code ec = asio::error::timed_out;
  tcp::resolver::results_type results;
  resolver.async_resolve(url.host, url.port,
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           results = std::move(r);
                           timer.cancel();
                         });
  timer.async_wait([&](beast::error_code e) {
    if (!e) resolver.cancel();
  });
  io.run();
  if (ec) return Status::error(Code::kTransient, "resolving " + url.host + ": " + describe(ec));
  return results;
}

// io and tcp stay with the caller unless the handshake succeeds: a
// moved-from Beast stream keeps timers on io, so io must outlive it.
Outcome<std::unique_ptr<Channel>> handshake(std::unique_ptr<asio::io_context>& io,
                                            beast::tcp_stream& tcp, const ServerUrl& url,
                                            const std::shared_ptr<TlsSetup>& tls,
                                            std::chrono::milliseconds timeout) {
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  auto stream = std::make_unique<Stream>(std::move(tcp), tls->context);
  // SNI carries a host name only (RFC 6066 forbids IP literals there); an
  // IP literal is matched against the certificate's IP addresses.
  beast::error_code not_ip;
  asio::ip::make_address(tls->verify_name, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream->native_handle(), tls->verify_name.c_str());
  if (tls->verify) stream->set_verify_callback(ssl::host_name_verification(tls->verify_name));
  beast::get_lowest_layer(*stream).expires_after(timeout);
  beast::error_code ec;
  stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  io->run();
  if (ec) {
    // A certificate that does not verify is the configuration's problem,
    // which no retry fixes; a reset during the handshake is transient.
    bool tls_error = ec.category() == asio::error::get_ssl_category() ||
                     ec.category() == ssl::error::get_stream_category();
    return Status::error(tls_error ? Code::kInvalid : Code::kTransient,
                         "TLS handshake with " + url.origin() + " failed: " + describe(ec));
  }
  return std::unique_ptr<Channel>(
      std::make_unique<ChannelOf<Stream>>(std::move(io), std::move(stream), tls));
}

}  // namespace

Outcome<std::shared_ptr<TlsSetup>> make_tls_setup(const RestConfig& config, const ServerUrl& url) {
  if (!url.tls) return std::shared_ptr<TlsSetup>();
  auto tls = std::make_shared<TlsSetup>();
  tls->context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1);
  tls->verify_name = config.tls_server_name.empty() ? url.host : config.tls_server_name;
  tls->verify = !config.insecure_skip_tls_verify;
  Status status = Status::ok();
  if (tls->verify) {
    status = load_trust(config, tls->context);
  } else {
    tls->context.set_verify_mode(ssl::verify_none);
  }
  if (status) status = load_client_certificate(config, tls->context);
  if (!status) return status;
  return tls;
}

Outcome<std::unique_ptr<Channel>> open_channel(const ServerUrl& url,
                                               const std::shared_ptr<TlsSetup>& tls,
                                               std::chrono::milliseconds timeout) {
  Outcome<tcp::resolver::results_type> endpoints = resolve(url, timeout);
  if (!endpoints) return endpoints.status();
  auto io = std::make_unique<asio::io_context>(1);
  beast::tcp_stream tcp(*io);
  tcp.expires_after(timeout);
  beast::error_code ec;
  tcp.async_connect(*endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  io->run();
  if (ec) {
    return Status::error(Code::kTransient, "connecting to " + url.origin() + ": " + describe(ec));
  }
  tcp.socket().set_option(tcp::no_delay(true));
  io->restart();
  if (url.tls) return handshake(io, tcp, url, tls, timeout);
  using Stream = beast::tcp_stream;
  auto stream = std::make_unique<Stream>(std::move(tcp));
  return std::unique_ptr<Channel>(
      std::make_unique<ChannelOf<Stream>>(std::move(io), std::move(stream), nullptr));
}

}  // namespace wsop::kube::detail
