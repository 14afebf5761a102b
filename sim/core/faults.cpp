#include "sim/core/faults.h"

namespace wsop::sim {
namespace {

Status read_rate(const nlohmann::json& body, const char* key, double& out) {
  if (!body.contains(key)) return Status::ok();
  const auto& v = body[key];
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
    return Status::error(Code::kInvalid, std::string(key) + " must be a number from 0 to 1");
  }
  out = v.get<double>();
  return Status::ok();
}

Status read_non_negative(const nlohmann::json& body, const char* key, double& out) {
  if (!body.contains(key)) return Status::ok();
  const auto& v = body[key];
  if (!v.is_number() || v.get<double>() < 0) {
    return Status::error(Code::kInvalid, std::string(key) + " must be a number >= 0");
  }
  out = v.get<double>();
  return Status::ok();
}

}  // namespace

Outcome<Faults> faults_from_json(const nlohmann::json& body, Faults base) {
  if (!body.is_object()) return Status::error(Code::kInvalid, "faults must be a JSON object");
  static const char* kKnown[] = {"latencyMs",   "jitterMs", "errorRate",
                                 "resetRate",   "hangRate", "dropAfterCreateRate",
                                 "rateLimitRps"};
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return Status::error(Code::kInvalid, "unknown fault \"" + key + "\"");
  }
  double latency = base.latency_ms, jitter = base.jitter_ms;
  for (Status s :
       {read_non_negative(body, "latencyMs", latency), read_non_negative(body, "jitterMs", jitter),
        read_rate(body, "errorRate", base.error_rate),
        read_rate(body, "resetRate", base.reset_rate), read_rate(body, "hangRate", base.hang_rate),
        read_rate(body, "dropAfterCreateRate", base.drop_after_create_rate),
        read_non_negative(body, "rateLimitRps", base.rate_limit_rps)}) {
    if (!s.is_ok()) return s;
  }
  base.latency_ms = static_cast<int>(latency);
  base.jitter_ms = static_cast<int>(jitter);
  return base;
}

nlohmann::json to_json(const Faults& f) {
  return {{"latencyMs", f.latency_ms},       {"jitterMs", f.jitter_ms},
          {"errorRate", f.error_rate},       {"resetRate", f.reset_rate},
          {"hangRate", f.hang_rate},         {"dropAfterCreateRate", f.drop_after_create_rate},
          {"rateLimitRps", f.rate_limit_rps}};
}

FaultInjector::FaultInjector(Faults initial, std::uint64_t seed)
    : initial_(initial), current_(initial), rng_(seed) {
  bucket_.set_rate(initial.rate_limit_rps, TokenBucket::Clock::now());
}

Faults FaultInjector::get() const {
  std::lock_guard lock(mu_);
  return current_;
}

void FaultInjector::set(const Faults& faults) {
  std::lock_guard lock(mu_);
  current_ = faults;
  bucket_.set_rate(faults.rate_limit_rps, TokenBucket::Clock::now());
}

void FaultInjector::restore() {
  set(initial_);
}

bool FaultInjector::roll(double rate) {
  if (rate <= 0) return false;
  return std::uniform_real_distribution<double>(0, 1)(rng_) < rate;
}

FaultPlan FaultInjector::plan(bool is_create) {
  std::lock_guard lock(mu_);
  FaultPlan plan;
  int jitter =
      current_.jitter_ms > 0 ? std::uniform_int_distribution<int>(0, current_.jitter_ms)(rng_) : 0;
  plan.delay = std::chrono::milliseconds(current_.latency_ms + jitter);
  plan.throttled = bucket_.take(TokenBucket::Clock::now());
  if (plan.throttled) return plan;
  if (roll(current_.reset_rate)) {
    plan.reset = true;
  } else if (roll(current_.hang_rate)) {
    plan.hang = true;
  } else if (roll(current_.error_rate)) {
    static constexpr int kStatuses[] = {500, 502, 503};
    plan.error_status = kStatuses[std::uniform_int_distribution<int>(0, 2)(rng_)];
  } else if (is_create && roll(current_.drop_after_create_rate)) {
    plan.drop_if_created = true;
  }
  return plan;
}

}  // namespace wsop::sim
