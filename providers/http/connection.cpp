#include "providers/http/connection.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>

namespace wsop::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

// A proxy's reason phrase, fit for a message: printable ASCII, bounded.
std::string printable_reason(beast::string_view reason) {
  std::string out;
  for (char c : reason.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// Runs the io_context until the pending operation completes.
void run(asio::io_context& io) {
  io.restart();
  io.run();
}

// How often an exchange looks at its cutoff: the cutoff may move earlier
// while it runs (a signal), which no timer set at its start would see.
constexpr std::chrono::milliseconds kCutoffPoll{50};

// As run(), and once the cutoff's finish_by passes, cancel() the pending
// operation (its handler then sees operation_aborted) and sets abandoned.
template <class Cancel>
void run_until_cutoff(asio::io_context& io, const Cutoff* cutoff, bool& abandoned, Cancel cancel) {
  if (!cutoff) return run(io);
  io.restart();
  while (!io.stopped()) {
    io.run_for(kCutoffPoll);
    if (!io.stopped() && !abandoned && cutoff->finish_passed()) {
      abandoned = true;
      cancel();
    }
  }
}

// A plain http:// request sent to a proxy: the absolute-form target
// ("http://host:port" before the path) and the proxy's credentials.
struct ForwardProxy {
  std::string target_prefix;
  std::string authorization;  // "Basic ..." or empty
  std::string display;        // the proxy, credentials redacted
};

template <class Stream>
class BasicConnection : public Connection {
 public:
  // keep_alive holds what the stream needs beyond itself (the TLS context).
  BasicConnection(std::unique_ptr<asio::io_context> io, std::unique_ptr<Stream> stream,
                  std::shared_ptr<void> keep_alive = nullptr,
                  std::optional<ForwardProxy> forward = std::nullopt)
      : keep_alive_(std::move(keep_alive)),
        io_(std::move(io)),
        stream_(std::move(stream)),
        forward_(std::move(forward)) {}

  bool exchange(const WireRequest& request, size_t max_body_bytes,
                std::chrono::milliseconds deadline, WireResponse& response,
                ExchangeFailure& failure, const Cutoff* cutoff) override {
    std::string target = forward_ ? forward_->target_prefix + request.target : request.target;
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), target, 11};
    for (const auto& [name, value] : request.headers) req.set(name, value);
    if (forward_ && !forward_->authorization.empty()) {
      req.set(bhttp::field::proxy_authorization, forward_->authorization);
    }
    req.body() = request.body;
    req.prepare_payload();
    cutoff_ = cutoff;
    abandoned_ = false;
    beast::get_lowest_layer(*stream_).expires_after(deadline);
    beast::error_code ec;
    bhttp::async_write(*stream_, req, [&](beast::error_code e, size_t) { ec = e; });
    step();
    if (ec) return fail(failure, "sending request: " + describe(ec), ec);
    std::optional<Parser> parser;
    ec = read_final_response(parser, max_body_bytes);
    if (ec == bhttp::error::body_limit) {
      open_ = false;
      failure = {Status::error(Code::kInvalid, "response body larger than " +
                                                   std::to_string(max_body_bytes) + " bytes"),
                 true};
      return false;
    }
    if (ec) return fail(failure, "reading response: " + describe(ec), ec);
    auto& res = parser->get();
    if (res.result_int() / 100 == 1) return interim_failure(res.result_int(), failure);
    response.status = static_cast<int>(res.result_int());
    response.body = std::move(res.body());
    response.retry_after = std::string(res[bhttp::field::retry_after]);
    response.keep_alive = res.keep_alive();
    if (!response.keep_alive) open_ = false;
    if (forward_ && response.status == 407) {
      // Only a proxy answers 407: it refused to forward, so the server saw
      // nothing and a create is not ambiguous.
      open_ = false;
      failure = {Status::error(Code::kInvalid, "proxy " + forward_->display +
                                                   " refused the request: 407 " +
                                                   printable_reason(res.reason())),
                 false};
      return false;
    }
    return true;
  }

  bool is_open() const override { return open_; }

 private:
  using Parser = bhttp::response_parser<bhttp::string_body>;

  // Runs the pending operation, abandoning it at the cutoff.
  void step() {
    run_until_cutoff(*io_, cutoff_, abandoned_,
                     [this] { beast::get_lowest_layer(*stream_).cancel(); });
  }

  // The header is read before the body: Boost 1.74's eager parse drops the
  // body_limit error of a Content-Length over the limit and then reserves
  // that many bytes (boostorg/beast#2183), so one hostile header could
  // throw std::bad_alloc or allocate gigabytes. Interim 1xx answers (100
  // Continue, 103 Early Hints) are skipped, as RFC 9110 section 15.2 asks:
  // taken as final, the real answer would be read as the answer to the
  // next request on this connection. All share the request's deadline.
  beast::error_code read_final_response(std::optional<Parser>& parser, size_t max_body_bytes) {
    beast::error_code ec;
    for (int interim = 0; interim <= kMaxInterimResponses; ++interim) {
      parser.emplace();
      parser->body_limit(max_body_bytes);
      parser->header_limit(64 * 1024);
      bhttp::async_read_header(*stream_, buffer_, *parser,
                               [&](beast::error_code e, size_t) { ec = e; });
      step();
      unsigned status = parser->get().result_int();
      if (ec || status / 100 != 1 || status == 101) break;
    }
    if (ec) return ec;
    // Still interim: 101 (we never ask to switch protocols) or one interim
    // answer too many. The caller fails the exchange.
    if (parser->get().result_int() / 100 == 1) return ec;
    bhttp::async_read(*stream_, buffer_, *parser, [&](beast::error_code e, size_t) { ec = e; });
    step();
    return ec;
  }

  // The server answered, but never finally: whatever it did, the request
  // reached it.
  bool interim_failure(unsigned status, ExchangeFailure& failure) {
    open_ = false;
    std::string why = status == 101 ? "switched protocols (101), which was never asked for"
                                    : "sent more than " + std::to_string(kMaxInterimResponses) +
                                          " interim 1xx answers and no final one";
    failure = {Status::error(Code::kTransient, "the server " + why), true};
    return false;
  }

  bool fail(ExchangeFailure& failure, std::string message, beast::error_code ec) {
    open_ = false;
    if (abandoned_)
      message = "abandoned in flight, the grace after the " + cutoff_->why() + " ended";
    failure = {Status::error(Code::kTransient, std::move(message)), true};
    failure.closed_by_peer = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                             ec == asio::error::connection_reset ||
                             ec == asio::error::broken_pipe ||
                             ec == asio::ssl::error::stream_truncated;
    return false;
  }

  // Declaration order is destruction order reversed: the stream goes first.
  std::shared_ptr<void> keep_alive_;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<ForwardProxy> forward_;
  bool open_ = true;
  const Cutoff* cutoff_ = nullptr;  // of the exchange running
  bool abandoned_ = false;          // it passed the cutoff's finish_by
};

// Where the socket goes: the server, or the proxy. label names it in
// messages ("https://host:port", or "proxy http://***@host:port").
struct Hop {
  std::string host;
  std::string port;
  std::string label;
  bool proxy = false;
};

std::optional<tcp::resolver::results_type> resolve(asio::io_context& io, const Hop& hop,
                                                   std::chrono::milliseconds deadline,
                                                   ExchangeFailure& failure) {
  tcp::resolver resolver(io);
  beast::error_code not_ip;
  auto address = asio::ip::make_address(hop.host, not_ip);
  uint16_t port = 0;
  auto [end, bad_port] = std::from_chars(hop.port.data(), hop.port.data() + hop.port.size(), port);
  if (!not_ip && bad_port == std::errc() && end == hop.port.data() + hop.port.size()) {
    // An IP literal needs no lookup (and no resolver thread).
    return tcp::resolver::results_type::create(tcp::endpoint(address, port), hop.host, hop.port);
  }
  asio::steady_timer timer(io, deadline);
  beast::error_code ec = asio::error::timed_out;
  tcp::resolver::results_type results;
  resolver.async_resolve(hop.host, hop.port,
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           results = std::move(r);
                           timer.cancel();
                         });
  timer.async_wait([&](beast::error_code e) {
    if (!e) resolver.cancel();
  });
  run(io);
  if (ec) {
    failure = {Status::error(Code::kTransient, "resolving " + (hop.proxy ? hop.label : hop.host) +
                                                   ": " + describe(ec)),
               false};
    return std::nullopt;
  }
  return results;
}

bool connect(beast::tcp_stream& stream, asio::io_context& io, const tcp::resolver::results_type& at,
             std::chrono::milliseconds deadline, const Hop& hop, ExchangeFailure& failure) {
  stream.expires_after(deadline);
  beast::error_code ec;
  stream.async_connect(at, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  run(io);
  if (ec) {
    failure = {Status::error(Code::kTransient, "connecting to " + hop.label + ": " + describe(ec)),
               false};
    return false;
  }
  stream.socket().set_option(tcp::no_delay(true));
  return true;
}

// Sends CONNECT for url's host and port and reads the proxy's answer, all
// within deadline. Nothing of the real request has been sent on failure.
bool open_tunnel(beast::tcp_stream& stream, asio::io_context& io, const Url& url,
                 const ProxySettings& proxy, std::chrono::milliseconds deadline,
                 ExchangeFailure& failure) {
  const std::string target = url.host_port();
  bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, target, 11};
  req.set(bhttp::field::host, target);
  if (proxy.has_credentials()) req.set(bhttp::field::proxy_authorization, proxy.authorization());
  const std::string where = "proxy " + proxy.display();
  stream.expires_after(deadline);
  beast::error_code ec;
  bhttp::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
  run(io);
  beast::flat_buffer buffer;
  // An answer to CONNECT has no body (RFC 9110 section 9.3.6), whatever
  // its headers say: skip(true) stops the parser after the header.
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);
  if (!ec) {
    bhttp::async_read_header(stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    run(io);
  }
  if (ec) {
    failure = {Status::error(Code::kTransient,
                             where + ": CONNECT to " + target + " failed: " + describe(ec)),
               false};
    return false;
  }
  unsigned status = parser.get().result_int();
  if (status / 100 != 2) {
    // 407 or 403 is the proxy's configuration or policy: no retry helps.
    failure = {
        Status::error(status >= 500 ? Code::kTransient : Code::kInvalid,
                      where + " refused CONNECT to " + target + ": " + std::to_string(status) +
                          " " + printable_reason(parser.get().reason())),
        false};
    return false;
  }
  if (buffer.size() != 0) {
    // The TLS client speaks first: bytes already here are not the server's.
    failure = {Status::error(Code::kTransient, where + " sent data after its CONNECT answer"),
               false};
    return false;
  }
  return true;
}

class AsioTlsContext : public TlsContext {
 public:
  explicit AsioTlsContext(TlsSettings settings)
      : TlsContext(std::move(settings)), context(ssl::context::tls_client) {}
  ssl::context context;
};

// io and tcp stay with the caller unless the handshake succeeds: a
// moved-from Beast stream keeps timers on io, so io must outlive it.
std::unique_ptr<Connection> open_tls(std::unique_ptr<asio::io_context>& io, beast::tcp_stream& tcp,
                                     const Url& url, const std::shared_ptr<TlsContext>& tls_context,
                                     const Deadlines& deadlines, ExchangeFailure& failure) {
  auto context = std::static_pointer_cast<AsioTlsContext>(tls_context);
  const TlsSettings& tls = context->settings();
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  auto stream = std::make_unique<Stream>(std::move(tcp), context->context);
  // SNI (a host name only: RFC 6066 forbids IP literals there), and the
  // name the certificate must carry (an IP literal is matched against the
  // certificate's IP addresses).
  beast::error_code not_ip;
  asio::ip::make_address(url.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream->native_handle(), url.host.c_str());
  if (!tls.insecure_skip_verify) stream->set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(*stream).expires_after(deadlines.connect);
  beast::error_code ec;
  stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  run(*io);
  if (ec) {
    // A certificate that does not verify is a configuration problem, not
    // something a retry fixes; a reset during the handshake is transient.
    bool tls_error = ec.category() == asio::error::get_ssl_category() ||
                     ec.category() == ssl::error::get_stream_category();
    failure = {Status::error(tls_error ? Code::kInvalid : Code::kTransient,
                             "TLS handshake with " + url.origin() + " failed: " + describe(ec)),
               false};
    return nullptr;
  }
  return std::make_unique<BasicConnection<Stream>>(std::move(io), std::move(stream), context);
}

}  // namespace

Outcome<std::shared_ptr<TlsContext>> TlsContext::create(const TlsSettings& settings) {
  auto tls = std::make_shared<AsioTlsContext>(settings);
  ssl::context& context = tls->context;
  beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (settings.insecure_skip_verify) {
    context.set_verify_mode(ssl::verify_none);
    return std::shared_ptr<TlsContext>(tls);
  }
  if (settings.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(settings.ca_file, ec);
  }
  if (ec) {
    return Status::error(Code::kInvalid,
                         "loading CA certificates" +
                             (settings.ca_file.empty() ? "" : " from " + settings.ca_file) + ": " +
                             ec.message());
  }
  context.set_verify_mode(ssl::verify_peer);
  return std::shared_ptr<TlsContext>(tls);
}

std::unique_ptr<Connection> Connection::open(const Url& url, const std::shared_ptr<TlsContext>& tls,
                                             const Deadlines& deadlines, ExchangeFailure& failure,
                                             const std::optional<ProxySettings>& proxy) {
  if (url.tls && !tls) {
    failure = {Status::error(Code::kInternal, "https URL without a TLS context"), false};
    return nullptr;
  }
  Hop hop = proxy ? Hop{proxy->host, proxy->port, "proxy " + proxy->display(), true}
                  : Hop{url.host, url.port, url.origin()};
  auto io = std::make_unique<asio::io_context>(1);
  std::optional<tcp::resolver::results_type> endpoints;
  {
    // Asio resolves names on a private thread of the io_context that asked,
    // kept until that io_context ends: on the connection's own, every pooled
    // connection would keep a thread. A short-lived one ends it here.
    asio::io_context resolving(1);
    endpoints = resolve(resolving, hop, deadlines.connect, failure);
  }
  if (!endpoints) return nullptr;
  beast::tcp_stream tcp(*io);
  if (!connect(tcp, *io, *endpoints, deadlines.connect, hop, failure)) return nullptr;
  if (url.tls) {
    if (proxy && !open_tunnel(tcp, *io, url, *proxy, deadlines.connect, failure)) return nullptr;
    return open_tls(io, tcp, url, tls, deadlines, failure);
  }
  std::optional<ForwardProxy> forward;
  if (proxy) {
    forward = ForwardProxy{"http://" + url.host_header(), proxy->authorization(), proxy->display()};
  }
  auto stream = std::make_unique<beast::tcp_stream>(std::move(tcp));
  return std::make_unique<BasicConnection<beast::tcp_stream>>(std::move(io), std::move(stream),
                                                              nullptr, std::move(forward));
}

}  // namespace wsop::http
