#include "providers/http/client.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <string_view>

#include "common/version.h"
#include "providers/http/redact.h"

namespace wsop::http {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

bool is_retryable_status(int status) {
  return status == 429 || status >= 500;
}

// Why a request stopped being retried, with what the last attempt met.
Status with_last(const Status& why, const std::optional<Status>& last) {
  if (!last) return why;
  return Status::error(why.code(), why.message() + "; last attempt: " + last->message());
}

}  // namespace

// A server's Retry-After, bounded by the policy: it pauses every worker of
// the ProviderConfig, so an absurd value must not stall them for days.
std::optional<milliseconds> Client::capped(std::optional<milliseconds> retry_after) const {
  if (!retry_after) return retry_after;
  return std::min(*retry_after, options_.retry.max_retry_after);
}

std::optional<milliseconds> parse_retry_after(const std::string& value) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 6) return milliseconds(999999000);
    return milliseconds(std::stoll(value) * 1000);
  }
  return milliseconds(1000);  // an HTTP-date: wait a little rather than trust clocks
}

Outcome<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  std::shared_ptr<TlsContext> tls;
  if (options.url.tls) {
    auto context = TlsContext::create(options.tls);
    if (!context) return context.status().with_context(options.provider);
    tls = std::move(*context);
  }
  return std::make_unique<Client>(Key{}, std::move(options), std::move(tls));
}

Client::Client(Key, ClientOptions options, std::shared_ptr<TlsContext> tls)
    : options_(std::move(options)), tls_(std::move(tls)), random_(std::random_device{}()) {}

void Client::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  stop_cv_.notify_all();
  if (options_.rate_limiter) options_.rate_limiter->stop();
}

Outcome<std::string> Client::authorization() {
  if (!options_.token) return std::string();
  auto token = options_.token->token();
  if (!token) return token.status();
  return "Bearer " + *token;
}

std::shared_ptr<const TokenRedactor> Client::redactor_for(const std::string& authorization) {
  std::lock_guard lock(redactor_mu_);
  if (!redactor_ || redactor_authorization_ != authorization) {
    redactor_ = std::make_shared<const TokenRedactor>(bearer_token(authorization));
    redactor_authorization_ = authorization;
  }
  return redactor_;
}

std::unique_ptr<Connection> Client::take_connection(bool fresh, const Deadlines& deadlines,
                                                    ExchangeFailure& failure, bool& reused) {
  reused = false;
  if (!fresh) {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->is_open()) {
        reused = true;
        return connection;
      }
    }
  }
  return Connection::open(options_.url, tls_, deadlines, failure, options_.proxy);
}

void Client::drop_idle_connections() {
  std::lock_guard lock(mu_);
  idle_.clear();
}

void Client::give_back(std::unique_ptr<Connection> connection) {
  if (!connection || !connection->is_open()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(connection));
}

Client::Attempt Client::attempt(const ClientRequest& request, bool fresh_connection,
                                ClientResponse& response, Status& error) {
  auto auth = authorization();
  if (!auth) {
    error = auth.status();
    return Attempt::kNotSent;
  }
  WireRequest wire{request.method, options_.url.base_path + request.path, request.body, {}};
  wire.headers = {{"Host", options_.url.host_header()},
                  {"Accept", "application/json"},
                  {"User-Agent", std::string("workspace-operator/") + kVersion}};
  if (!auth->empty()) wire.headers.emplace_back("Authorization", *auth);
  if (!request.body.empty()) wire.headers.emplace_back("Content-Type", "application/json");

  ExchangeFailure failure{Status::ok(), false};
  bool reused = false;
  WireResponse answer;
  std::unique_ptr<Connection> connection;
  // Each exchange is reported on its own: the metrics count every request
  // the server may have seen, the reused connection's failed one included.
  auto exchange = [&](bool fresh) {
    auto started = Clock::now();
    const Deadlines deadlines = exchange_deadlines();
    connection = take_connection(fresh, deadlines, failure, reused);
    bool ok = connection && connection->exchange(wire, options_.max_body_bytes, deadlines.request,
                                                 answer, failure, options_.cutoff.get());
    if (options_.observer) {
      options_.observer->on_attempt(options_.provider, request.operation, ok ? answer.status : 0,
                                    Clock::now() - started);
    }
    return ok;
  };
  bool answered = exchange(fresh_connection);
  if (!answered && reused && failure.closed_by_peer) {
    // The server closed the pooled connection while it sat idle (its
    // keep-alive timeout; a timeout of ours is not that); the other idle
    // ones are older still. As browsers
    // and Go's net/http do, try once more on a new connection: only send()
    // reuses connections, and what it sends may be repeated.
    drop_idle_connections();
    failure = {Status::ok(), false};
    answered = exchange(/*fresh=*/true);
  }
  if (!answered) {
    error = failure.status.with_context(request.method + " " + options_.url.origin() +
                                        options_.url.base_path + request.path);
    return failure.may_have_been_sent ? Attempt::kMaybeSent : Attempt::kNotSent;
  }
  give_back(std::move(connection));
  // Some APIs quote the key they reject ("Invalid token abc..."), whole,
  // in part or encoded: none of it may reach a Status, a log or the store.
  redactor_for(*auth)->redact(answer.body);
  response = {answer.status, std::move(answer.body), parse_retry_after(answer.retry_after)};
  return Attempt::kAnswered;
}

// The configured timeouts, shortened to the cutoff's finish_by: a request
// starting just before it gets the rest of the grace, not its full timeout.
Deadlines Client::exchange_deadlines() const {
  Deadlines deadlines = options_.deadlines;
  if (!options_.cutoff) return deadlines;
  auto left = std::chrono::ceil<milliseconds>(options_.cutoff->finish_by() - Clock::now());
  left = std::max(left, milliseconds(1));
  deadlines.connect = std::min(deadlines.connect, left);
  deadlines.request = std::min(deadlines.request, left);
  return deadlines;
}

Status Client::may_start() const {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return Status::error(Code::kTransient, "stopped before the request was sent");
  }
  if (options_.cutoff && options_.cutoff->start_passed()) {
    return Status::error(Code::kTransient, options_.provider + ": not sent, stopped by the " +
                                               options_.cutoff->why());
  }
  return Status::ok();
}

Status Client::acquire(RateLimiter::Kind kind) {
  if (Status s = may_start(); !s.is_ok()) return s;
  if (!options_.rate_limiter) return Status::ok();
  auto deadline = options_.cutoff ? options_.cutoff->start_by() : RateLimiter::TimePoint::max();
  switch (options_.rate_limiter->acquire_by(kind, deadline)) {
    case RateLimiter::Grant::kGranted: return Status::ok();
    case RateLimiter::Grant::kStopped:
      return Status::error(Code::kTransient, "stopped before the request was sent");
    case RateLimiter::Grant::kPastDeadline: break;
  }
  return Status::error(Code::kRateLimited, options_.provider +
                                               ": not sent, its rate limit or the server's "
                                               "Retry-After would hold the request past the " +
                                               options_.cutoff->why());
}

Client::Wait Client::wait_before_retry(int attempt, std::optional<milliseconds> retry_after) {
  std::unique_lock lock(mu_);
  milliseconds cap = std::min(options_.retry.max_delay,
                              options_.retry.base_delay * (int64_t{1} << std::min(attempt, 16)));
  auto delay = milliseconds(std::uniform_int_distribution<int64_t>(0, cap.count())(random_));
  if (retry_after) delay = std::max(delay, std::min(*retry_after, options_.retry.max_retry_after));
  // Sleeping would only end past the deadline, where nothing is sent.
  if (options_.cutoff && Clock::now() + delay > options_.cutoff->start_by()) {
    return Wait::kPastCutoff;
  }
  return stop_cv_.wait_for(lock, delay, [&] { return stopped_; }) ? Wait::kStopped : Wait::kWaited;
}

// A 429 not retried because its Retry-After (capped) passes the cutoff.
Status Client::throttled_past_cutoff(const ClientResponse& response) const {
  std::string asked =
      response.retry_after
          ? " (" + std::to_string(response.retry_after->count() / 1000) + " s, capped at " +
                std::to_string(options_.retry.max_retry_after.count() / 1000) + " s)"
          : "";
  return Status::error(Code::kRateLimited, options_.provider + ": HTTP 429, and the wait the " +
                                               "server asked for" + asked + " would pass the " +
                                               options_.cutoff->why());
}

RateLimiter::TimePoint Client::sent_now() const {
  return options_.rate_limiter ? options_.rate_limiter->now() : RateLimiter::TimePoint{};
}

// Tells the bucket how the server answered and, after a success or a 429
// (the answers that move it), the metrics what rate it grants at now.
void Client::note_answer(const ClientResponse& response, RateLimiter::TimePoint sent_at) {
  auto& limiter = options_.rate_limiter;
  if (!limiter || !(response.ok() || response.status == 429)) return;
  double qps = response.ok() ? limiter->on_success()
                             : limiter->on_throttled(capped(response.retry_after), sent_at);
  if (options_.observer) options_.observer->on_rate_limit(options_.provider, qps);
}

Outcome<ClientResponse> Client::send(const ClientRequest& request) {
  std::optional<Status> last_error;
  const auto kind = request.method == "GET" ? RateLimiter::Kind::kRead : RateLimiter::Kind::kWrite;
  const Status stopped = Status::error(Code::kTransient, "stopped");
  for (int n = 1; n <= options_.retry.max_attempts; ++n) {
    if (Status s = acquire(kind); !s.is_ok()) return with_last(s, last_error);
    const auto sent_at = sent_now();
    ClientResponse response;
    Status error;
    Attempt result = attempt(request, /*fresh_connection=*/false, response, error);
    bool last = n == options_.retry.max_attempts;
    if (result == Attempt::kAnswered) {
      note_answer(response, sent_at);
      if (!is_retryable_status(response.status) || last) return response;
      last_error = Status::error(Code::kTransient, "HTTP " + std::to_string(response.status));
      Wait waited = wait_before_retry(n, response.retry_after);
      if (waited == Wait::kStopped) return with_last(stopped, last_error);
      // No retry before the cutoff: this answer is the last, as at the
      // last attempt, except that a 429 says why it ends.
      if (waited == Wait::kPastCutoff) {
        if (response.status == 429) return throttled_past_cutoff(response);
        return response;
      }
      continue;
    }
    if (error.code() != Code::kTransient || last) return error;
    last_error = error;
    Wait waited = wait_before_retry(n, std::nullopt);
    if (waited == Wait::kStopped) return with_last(stopped, last_error);
    if (waited == Wait::kPastCutoff) return error;
  }
  return Status::error(Code::kTransient, "stopped: no attempt made");
}

Outcome<ClientResponse> Client::send_once(const ClientRequest& request) {
  for (int n = 1; n <= options_.retry.max_attempts; ++n) {
    if (Status s = acquire(RateLimiter::Kind::kWrite); !s.is_ok()) return s;
    const auto sent_at = sent_now();
    ClientResponse response;
    Status error;
    // A fresh connection: a pooled one may have been closed by the server
    // while idle, and a write into it would leave the outcome unknown.
    Attempt result = attempt(request, /*fresh_connection=*/true, response, error);
    bool last = n == options_.retry.max_attempts;
    if (result == Attempt::kMaybeSent) {
      return Status::error(Code::kAmbiguous,
                           error.message() + " (the request may have been processed)");
    }
    if (result == Attempt::kNotSent) {
      if (error.code() != Code::kTransient || last) return error;
      if (wait_before_retry(n, std::nullopt) != Wait::kWaited) return error;
      continue;
    }
    // Every answer is returned, a 429 too: whether and when to send a create
    // again is the create journal's decision (controller/reconcile/
    // create_journal.cpp), which keeps its record pending meanwhile. The
    // bucket slows down and waits out Retry-After for everyone.
    note_answer(response, sent_at);
    return response;
  }
  return Status::error(Code::kTransient, "stopped before the request was sent");
}

}  // namespace wsop::http
