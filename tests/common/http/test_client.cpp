#include "tests/common/http/test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace wsop::simtest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Failure classify(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return Failure::kTimeout;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) return Failure::kReset;
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated) {
    return Failure::kClosed;
  }
  return Failure::kOther;
}

}  // namespace

const char* failure_name(Failure failure) {
  switch (failure) {
    case Failure::kNone: return "none";
    case Failure::kConnect: return "connect";
    case Failure::kReset: return "reset";
    case Failure::kClosed: return "closed";
    case Failure::kTimeout: return "timeout";
    case Failure::kOther: return "other";
  }
  return "?";
}

nlohmann::json Reply::json() const {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

struct Client::Impl {
  std::string host;
  std::string port;
  bool tls = false;
  asio::io_context ioc;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  int connections = 0;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*secure) : *plain; }
  bool open() const { return tls ? secure.has_value() : plain.has_value(); }

  beast::error_code connect(std::chrono::milliseconds timeout) {
    plain.reset();
    secure.reset();
    buffer.clear();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return ec;
    if (tls) {
      secure.emplace(ioc, ssl);
    } else {
      plain.emplace(ioc);
    }
    lowest().expires_after(timeout);
    lowest().connect(endpoints, ec);
    if (!ec && tls) secure->handshake(asio::ssl::stream_base::client, ec);
    if (ec) {
      plain.reset();
      secure.reset();
      return ec;
    }
    ++connections;
    return ec;
  }

  template <class Op>
  void run(Op op, std::chrono::milliseconds timeout, beast::error_code& ec) {
    // Beast's timeouts act on asynchronous operations only.
    lowest().expires_after(timeout);
    op([&ec](beast::error_code e, std::size_t) { ec = e; });
    ioc.restart();
    ioc.run();
  }

  beast::error_code exchange(bhttp::request<bhttp::string_body>& req,
                             bhttp::response<bhttp::string_body>& res,
                             std::chrono::milliseconds timeout) {
    beast::error_code ec;
    auto write = [&](auto&& handler) {
      if (tls) return bhttp::async_write(*secure, req, handler);
      return bhttp::async_write(*plain, req, handler);
    };
    run(write, timeout, ec);
    if (ec) return ec;
    auto read = [&](auto&& handler) {
      if (tls) return bhttp::async_read(*secure, buffer, res, handler);
      return bhttp::async_read(*plain, buffer, res, handler);
    };
    run(read, timeout, ec);
    return ec;
  }
};

Client::Client(const std::string& base, std::string token)
    : impl_(std::make_unique<Impl>()), token_(std::move(token)) {
  std::string rest = base;
  if (rest.rfind("https://", 0) == 0) {
    impl_->tls = true;
    rest = rest.substr(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  }
  std::size_t colon = rest.rfind(':');
  impl_->host = rest.substr(0, colon);
  impl_->port = rest.substr(colon + 1);
  impl_->ssl.set_verify_mode(asio::ssl::verify_none);
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

int Client::connections() const {
  return impl_->connections;
}

Reply Client::request(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  auto started = std::chrono::steady_clock::now();
  Reply reply;
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.method_string(method);
  req.set(bhttp::field::host, impl_->host + ":" + impl_->port);
  if (!token_.empty()) req.set(bhttp::field::authorization, "Bearer " + token_);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  if (!impl_->open()) {
    if (auto cec = impl_->connect(timeout_)) {
      reply.failure = Failure::kConnect;
      reply.error = cec.message();
      return reply;
    }
  }
  // No retry on a failure: the fault tests must see it as it happened.
  bhttp::response<bhttp::string_body> res;
  beast::error_code ec = impl_->exchange(req, res, timeout_);
  reply.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (ec) {
    reply.failure = classify(ec);
    reply.error = ec.message();
    impl_->plain.reset();
    impl_->secure.reset();
    return reply;
  }
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = res.body();
  if (!res.keep_alive()) {
    impl_->plain.reset();
    impl_->secure.reset();
  }
  return reply;
}

}  // namespace wsop::simtest
