#include "kube/transport.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <mutex>
#include <vector>

#include "kube/channel.h"
#include "kube/token.h"

namespace wsop::kube {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using detail::Channel;
using detail::Parser;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr int kMaxInterimAnswers = 8;
constexpr std::size_t kMaxErrorBody = 1u << 20;  // the body of a refused stream

bool closed_by_peer(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe;
}

Status read_failure(const std::string& what, const beast::error_code& ec) {
  Status status = Status::error(Code::kTransient, what + ": " + detail::describe(ec));
  return ec == boost::asio::error::operation_aborted ? status.with_reason("Canceled") : status;
}

// Reads the head of the final answer, skipping interim 1xx ones.
beast::error_code read_final_head(Channel& channel, std::unique_ptr<Parser>& parser) {
  beast::error_code ec;
  for (int interim = 0; interim <= kMaxInterimAnswers; ++interim) {
    parser = std::make_unique<Parser>();
    parser->header_limit(64 * 1024);
    // Bounded by the callers, which read in chunks. Not boost::none: Boost
    // 1.74 compares a Content-Length with an empty optional as if it were
    // the smaller, and refuses every body that has one.
    parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    ec = channel.read_header(*parser);
    unsigned status = parser->get().result_int();
    if (ec || status / 100 != 1) return ec;
  }
  return bhttp::error::bad_status;
}

// Appends the rest of the body to out; kInvalid beyond limit bytes.
Status read_body(Channel& channel, Parser& parser, std::size_t limit, std::string& out) {
  char chunk[kReadChunk];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    beast::error_code ec = channel.read_some(parser);
    if (ec) return read_failure("reading the answer", ec);
    out.append(chunk, sizeof(chunk) - parser.get().body().size);
    if (out.size() > limit) {
      channel.reusable = false;
      return Status::error(Code::kInvalid,
                           "answer larger than " + std::to_string(limit) + " bytes");
    }
  }
  return Status::ok();
}

class ChannelLines : public LineStream {
 public:
  ChannelLines(std::unique_ptr<Channel> channel, std::unique_ptr<Parser> parser,
               std::chrono::milliseconds idle_timeout, std::size_t max_line)
      : channel_(std::move(channel)),
        parser_(std::move(parser)),
        idle_timeout_(idle_timeout),
        max_line_(max_line) {}

  Outcome<std::optional<std::string>> next_line() override {
    for (;;) {
      std::size_t newline = pending_.find('\n', scanned_);
      if (newline != std::string::npos) return take_line(newline);
      scanned_ = pending_.size();
      if (pending_.size() > max_line_) {
        return Status::error(Code::kInvalid, "a streamed line is longer than " +
                                                 std::to_string(max_line_) + " bytes");
      }
      if (parser_->is_done()) {
        if (pending_.empty()) return std::optional<std::string>();
        return take_line(pending_.size());
      }
      Status status = read_more();
      if (!status) return status;
    }
  }

  void cancel() override { channel_->cancel(); }

 private:
  std::optional<std::string> take_line(std::size_t end) {
    std::string line = pending_.substr(0, end);
    pending_.erase(0, std::min(end + 1, pending_.size()));
    scanned_ = 0;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  Status read_more() {
    char chunk[kReadChunk];
    parser_->get().body().data = chunk;
    parser_->get().body().size = sizeof(chunk);
    channel_->expire_after(idle_timeout_);
    beast::error_code ec = channel_->read_some(*parser_);
    if (ec) return read_failure("reading the stream", ec);
    pending_.append(chunk, sizeof(chunk) - parser_->get().body().size);
    return Status::ok();
  }

  std::unique_ptr<Channel> channel_;
  std::unique_ptr<Parser> parser_;
  const std::chrono::milliseconds idle_timeout_;
  const std::size_t max_line_;
  std::string pending_;      // bytes of lines not yet whole
  std::size_t scanned_ = 0;  // pending_ has no '\n' before this
};

}  // namespace

struct Transport::Impl {
  ServerUrl url;
  std::shared_ptr<detail::TlsSetup> tls;
  std::shared_ptr<BearerToken> token;
  TransportOptions options;
  std::mutex mu;
  std::vector<std::unique_ptr<Channel>> idle;  // guarded by mu

  detail::Request build(const HttpRequest& request) const {
    detail::Request req{bhttp::string_to_verb(request.method), url.path_prefix + request.target,
                        11};
    bool default_port = url.port == (url.tls ? "443" : "80");
    bool ipv6 = url.host.find(':') != std::string::npos;
    std::string host = ipv6 ? "[" + url.host + "]" : url.host;
    req.set(bhttp::field::host, default_port ? host : url.host_port());
    req.set(bhttp::field::user_agent, options.user_agent);
    req.set(bhttp::field::accept, "application/json");
    if (token) req.set(bhttp::field::authorization, "Bearer " + token->current());
    if (!request.body.empty() || !request.content_type.empty()) {
      req.set(bhttp::field::content_type, request.content_type);
      req.body() = request.body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  std::unique_ptr<Channel> take_idle() {
    std::lock_guard lock(mu);
    if (idle.empty()) return nullptr;
    std::unique_ptr<Channel> channel = std::move(idle.back());
    idle.pop_back();
    return channel;
  }

  void give_back(std::unique_ptr<Channel> channel) {
    std::lock_guard lock(mu);
    if (channel->reusable && idle.size() < options.max_idle_connections) {
      idle.push_back(std::move(channel));
    }
  }

  // One exchange on channel. stale: it failed the way a pooled connection
  // the server closed while idle fails (nothing answered, peer closed).
  Outcome<HttpResponse> exchange(Channel& channel, const HttpRequest& request,
                                 std::chrono::milliseconds timeout, bool& stale) {
    stale = false;
    detail::Request req = build(request);
    channel.expire_after(timeout);
    beast::error_code ec = channel.write(req);
    std::unique_ptr<Parser> parser;
    if (!ec) ec = read_final_head(channel, parser);
    if (ec) {
      stale = closed_by_peer(ec);
      return read_failure(request.method + " " + url.origin(), ec);
    }
    HttpResponse response;
    response.status = static_cast<int>(parser->get().result_int());
    response.retry_after = std::string(parser->get()[bhttp::field::retry_after]);
    Status status = read_body(channel, *parser, options.max_body_bytes, response.body);
    if (!status) return status.with_context(request.method + " " + url.origin());
    if (!parser->get().keep_alive()) channel.reusable = false;
    return response;
  }

  Outcome<HttpResponse> round_trip_once(const HttpRequest& request,
                                        std::chrono::milliseconds timeout, bool& sent) {
    sent = false;
    std::unique_ptr<Channel> channel = take_idle();
    if (channel) {
      bool stale = false;
      sent = true;
      Outcome<HttpResponse> answer = exchange(*channel, request, timeout, stale);
      if (answer) give_back(std::move(channel));
      // The server closed the idle connection as the request went out; a
      // POST is not repeated (it may have been received).
      if (answer || !stale || request.method == "POST") return answer;
    }
    Outcome<std::unique_ptr<Channel>> opened =
        detail::open_channel(url, tls, options.connect_timeout);
    if (!opened) return opened.status();
    bool stale = false;
    sent = true;
    Outcome<HttpResponse> answer = exchange(**opened, request, timeout, stale);
    if (answer) give_back(std::move(*opened));
    return answer;
  }
};

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() = default;

const ServerUrl& Transport::url() const {
  return impl_->url;
}

Outcome<std::shared_ptr<Transport>> Transport::create(const RestConfig& config,
                                                      TransportOptions options) {
  auto impl = std::make_unique<Impl>();
  Outcome<ServerUrl> url = parse_server_url(config.server);
  if (!url) return url.status();
  impl->url = *url;
  Outcome<std::shared_ptr<detail::TlsSetup>> tls = detail::make_tls_setup(config, *url);
  if (!tls) return tls.status();
  impl->tls = *tls;
  Outcome<std::shared_ptr<BearerToken>> token =
      BearerToken::from_config(config, options.token_reread_after);
  if (!token) return token.status();
  impl->token = *token;
  impl->options = std::move(options);
  return std::make_shared<Transport>(std::move(impl));
}

Outcome<HttpResponse> Transport::round_trip(const HttpRequest& request,
                                            std::chrono::milliseconds timeout,
                                            bool* may_have_been_sent) {
  bool sent = false;
  Outcome<HttpResponse> answer = impl_->round_trip_once(request, timeout, sent);
  if (answer && answer->status == 401 && impl_->token &&
      impl_->token->refresh_after_unauthorized()) {
    answer = impl_->round_trip_once(request, timeout, sent);  // the rotated token
  }
  if (may_have_been_sent) *may_have_been_sent = sent;
  return answer;
}

Outcome<Transport::Stream> Transport::open_stream(const HttpRequest& request,
                                                  std::chrono::milliseconds head_timeout,
                                                  std::chrono::milliseconds idle_timeout) {
  for (int attempt = 0;; ++attempt) {
    Outcome<std::unique_ptr<Channel>> opened =
        detail::open_channel(impl_->url, impl_->tls, impl_->options.connect_timeout);
    if (!opened) return opened.status();
    Channel& channel = **opened;
    detail::Request req = impl_->build(request);
    channel.expire_after(head_timeout);
    beast::error_code ec = channel.write(req);
    std::unique_ptr<Parser> parser;
    if (!ec) ec = read_final_head(channel, parser);
    if (ec) return read_failure(request.method + " " + impl_->url.origin(), ec);
    Stream stream;
    stream.head.status = static_cast<int>(parser->get().result_int());
    stream.head.retry_after = std::string(parser->get()[bhttp::field::retry_after]);
    if (stream.head.status / 100 == 2) {
      stream.lines = std::make_unique<ChannelLines>(std::move(*opened), std::move(parser),
                                                    idle_timeout, impl_->options.max_line_bytes);
      return stream;
    }
    Status status = read_body(channel, *parser, kMaxErrorBody, stream.head.body);
    if (!status) return status;
    if (stream.head.status == 401 && attempt == 0 && impl_->token &&
        impl_->token->refresh_after_unauthorized()) {
      continue;  // the rotated token
    }
    return stream;
  }
}

}  // namespace wsop::kube
