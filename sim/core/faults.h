// Fault injection settings of provider-sim (ARCHITECTURE.md section 9),
// set at start-up or at run time with PUT /_sim/faults.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "common/status.h"
#include "sim/core/rate_limiter.h"

namespace wsop::sim {

struct Faults {
  int latency_ms = 0;                 // added to every answer
  int jitter_ms = 0;                  // plus a uniform 0..jitter_ms
  double error_rate = 0;              // share answered 500, 502 or 503
  double reset_rate = 0;              // share whose connection is reset unanswered
  double hang_rate = 0;               // share never answered (past any client timeout)
  double drop_after_create_rate = 0;  // share of creates committed, then dropped unanswered
  double rate_limit_rps = 0;          // server-side limit answering 429 + Retry-After; 0 = off
};

// Reads the JSON body of PUT /_sim/faults; absent fields keep base's values.
Outcome<Faults> faults_from_json(const nlohmann::json& body, Faults base);
nlohmann::json to_json(const Faults& faults);

// What to do to one request, decided before it is served.
struct FaultPlan {
  std::chrono::milliseconds delay{0};             // before any answer (or non-answer)
  std::optional<std::chrono::seconds> throttled;  // answer 429 with this Retry-After
  bool reset = false;                             // abort the connection unanswered
  bool hang = false;                              // never answer
  int error_status = 0;                           // answer 500, 502 or 503 unserved
  bool drop_if_created = false;                   // serve; a successful create goes unanswered
};

// Draws fault plans from the current settings. Thread-safe.
class FaultInjector {
 public:
  FaultInjector(Faults initial, std::uint64_t seed);

  Faults get() const;
  void set(const Faults& faults);
  void restore();  // back to the start-up settings

  // Rate limit first (a throttled request is not served), then at most one
  // of reset, hang, error; latency applies to every plan.
  FaultPlan plan(bool is_create);

 private:
  bool roll(double rate);  // requires mu_

  mutable std::mutex mu_;
  const Faults initial_;
  Faults current_;
  TokenBucket bucket_;
  std::mt19937_64 rng_;
};

}  // namespace wsop::sim
