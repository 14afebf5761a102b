// The HTTP(S) client shared by the providers: keep-alive connections per
// origin, connect and request deadlines, bearer auth, the ProviderConfig's
// token bucket, and retries (ARCHITECTURE.md sections 4 and 6).
//
// Two ways to send, by what a retry may cause:
//   send()      for reads, updates and deletes: transport failures, 5xx and
//               429 are retried with exponential backoff and full jitter,
//               obeying Retry-After;
//   send_once() for creates: never repeated once the request may have
//               reached the server. A failure after that point is kAmbiguous,
//               for the reconciler's create journal. Only failures before a
//               byte was sent (connect errors) are retried; a 429 is returned
//               like any answer: the journal sends it again, keeping its
//               record pending (controller/reconcile/create_journal.cpp).
// Any HTTP answer that is not retried is returned as a Response, whatever
// its status: mapping statuses to Status codes is each provider's business.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/http/connection.h"
#include "providers/http/cutoff.h"
#include "providers/http/proxy.h"
#include "providers/http/rate_limiter.h"
#include "providers/http/redact.h"
#include "providers/http/token_source.h"
#include "providers/http/url.h"

namespace wsop::http {

struct ClientRequest {
  std::string operation;  // "get", "list", "create"...: a metrics label, never an id
  std::string method;     // "GET", "POST", "PATCH", "DELETE"
  std::string path;       // below the base URL's path, with the query, encoded
  std::string body;       // JSON, or empty
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;
  bool ok() const { return status >= 200 && status < 300; }
};

// Told about every attempt (for metrics). code is the HTTP status, or 0 when
// no answer came.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_attempt(const std::string& provider, const std::string& operation, int code,
                          std::chrono::duration<double> seconds) = 0;
  // The rate the provider's bucket grants at after an answer (it adapts to
  // 429s: rate_limiter.h).
  virtual void on_rate_limit(const std::string& /*provider*/, double /*qps*/) {}
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10000};
  std::chrono::milliseconds max_retry_after{60000};  // longer Retry-After values are capped
};

struct ClientOptions {
  std::string provider;  // the ProviderConfig's name, for metrics and messages
  Url url;
  TlsSettings tls;
  // The http:// proxy every connection goes through (a CONNECT tunnel for
  // https); nullopt: direct. Chosen by providers::client_options.
  std::optional<ProxySettings> proxy;
  Deadlines deadlines{std::chrono::milliseconds(5000), std::chrono::milliseconds(30000)};
  std::shared_ptr<TokenSource> token;         // null: no Authorization header
  std::shared_ptr<RateLimiter> rate_limiter;  // null: unlimited
  RetryPolicy retry;
  std::shared_ptr<RequestObserver> observer;
  // A one-shot command's cutoff (cutoff.h): no request and no wait starts
  // past its start_by, and one in flight is abandoned at its finish_by.
  // Null: none (the controller).
  std::shared_ptr<const Cutoff> cutoff;
  size_t max_body_bytes = 8u << 20;
  size_t max_idle_connections = 32;
};

class Client {
 public:
  // kInvalid if the TLS settings cannot be loaded (CA file unreadable).
  static Outcome<std::unique_ptr<Client>> create(ClientOptions options);

  Outcome<ClientResponse> send(const ClientRequest& request);
  Outcome<ClientResponse> send_once(const ClientRequest& request);

  // Stops waiting in the rate limiter and between retries; later calls fail
  // without sending anything.
  void stop();

  const ClientOptions& options() const { return options_; }

 private:
  struct Key {
    explicit Key() = default;
  };

 public:
  Client(Key, ClientOptions options, std::shared_ptr<TlsContext> tls);

 private:
  enum class Attempt { kAnswered, kNotSent, kMaybeSent };
  Attempt attempt(const ClientRequest& request, bool fresh_connection, ClientResponse& response,
                  Status& error);
  // A pooled connection when one is idle (reused = true), else a new one.
  std::unique_ptr<Connection> take_connection(bool fresh, const Deadlines& deadlines,
                                              ExchangeFailure& failure, bool& reused);
  void drop_idle_connections();
  void give_back(std::unique_ptr<Connection> connection);
  enum class Wait { kWaited, kStopped, kPastCutoff };
  // Waits before attempt + 1, unless stopped meanwhile; kPastCutoff at once
  // when the wait would pass the cutoff's start_by.
  Wait wait_before_retry(int attempt, std::optional<std::chrono::milliseconds> retry_after);
  Status throttled_past_cutoff(const ClientResponse& response) const;
  // Not ok once no request may start: stopped, or past the cutoff.
  Status may_start() const;
  // Takes a token from the bucket, within the cutoff.
  Status acquire(RateLimiter::Kind kind);
  Deadlines exchange_deadlines() const;
  // When a request is sent, on the rate limiter's clock (what its
  // on_throttled() compares with); the epoch without a limiter.
  RateLimiter::TimePoint sent_now() const;
  void note_answer(const ClientResponse& response, RateLimiter::TimePoint sent_at);
  std::optional<std::chrono::milliseconds> capped(
      std::optional<std::chrono::milliseconds> retry_after) const;
  Outcome<std::string> authorization();
  // The redactor of the Authorization value's token, built again only when
  // the value changes (a token file rewritten).
  std::shared_ptr<const TokenRedactor> redactor_for(const std::string& authorization);

  ClientOptions options_;
  std::shared_ptr<TlsContext> tls_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  bool stopped_ = false;
  std::condition_variable stop_cv_;
  std::mt19937_64 random_;  // retry jitter; guarded by mu_
  std::mutex redactor_mu_;
  std::string redactor_authorization_;  // what redactor_ was built for; guarded by redactor_mu_
  std::shared_ptr<const TokenRedactor> redactor_;  // guarded by redactor_mu_
};

// Parses a Retry-After header: delay-seconds (HTTP-date is treated as 1s).
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

}  // namespace wsop::http
