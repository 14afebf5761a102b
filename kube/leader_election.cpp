// The Lease elector of leader_election.h; the header states the rules and
// the argument that there are never two leaders.
#include "kube/leader_election.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <random>

#include "kube/errors.h"

namespace wsop::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string random_hex_suffix(int digits) {
  std::random_device device;
  std::mt19937_64 rng(device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out.push_back(kHex[rng() % 16]);
  return out;
}

Status invalid_election_config(const LeaderElectionConfig& config) {
  if (config.lease_namespace.empty() || config.lease_name.empty())
    return Status::error(Code::kInvalid,
                         "leader election: the Lease namespace and name are required");
  if (config.retry_period <= milliseconds(0) || config.renew_deadline <= config.retry_period ||
      config.lease_duration <= config.renew_deadline)
    return Status::error(Code::kInvalid,
                         "leader election: 0 < retry period < renew deadline < lease duration "
                         "is required");
  if (config.lease_duration < milliseconds(1000))
    return Status::error(Code::kInvalid, "leader election: the lease duration is at least 1 s");
  return Status::ok();
}

Json lease_object(const LeaderElectionConfig& config) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", config.lease_name}, {"namespace", config.lease_namespace}}},
          {"spec", Json::object()}};
}

std::string holder_of(const Json& lease) {
  const Json& spec = lease.value("spec", Json::object());
  auto it = spec.find("holderIdentity");
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string default_leader_identity() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::string name(host.data());
  if (name.empty()) name = "unknown";
  return name + "_" + random_hex_suffix(8);
}

std::string format_micro_time(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(micros.count() / 1'000'000);
  long fraction = static_cast<long>(micros.count() % 1'000'000);
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // strftime for the date and time, then the microseconds: room for any
  // year the tm can hold, which snprintf's range check would otherwise
  // count against the buffer.
  std::array<char, 64> text{};
  size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  std::array<char, 16> micros_text{};
  std::snprintf(micros_text.data(), micros_text.size(), ".%06ldZ", fraction % 1'000'000);
  return std::string(text.data(), n) + micros_text.data();
}

Outcome<std::unique_ptr<LeaderElector>> LeaderElector::create(const RestConfig& rest,
                                                              LeaderElectionConfig config) {
  if (Status invalid = invalid_election_config(config); !invalid) return invalid;
  ClientOptions options;
  // The elector retries every retry_period itself; a request never outlasts
  // half the renew deadline, which also bounds how long stop() takes.
  options.retry.max_attempts = 1;
  options.request_timeout = config.renew_deadline / 2;
  Outcome<std::shared_ptr<Client>> client = Client::create(rest, options);
  if (!client) return client.status().with_context("leader election");
  return std::make_unique<LeaderElector>(*client, std::move(config));
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config)
    : client_(std::move(client)), config_(std::move(config)), rng_(std::random_device{}()) {
  if (config_.identity.empty()) config_.identity = default_leader_identity();
  auto whole_seconds = std::chrono::ceil<std::chrono::seconds>(config_.lease_duration);
  lease_seconds_ = std::max<std::int64_t>(1, whole_seconds.count());
}

LeaderElector::~LeaderElector() {
  stop();
}

void LeaderElector::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool LeaderElector::leading() const {
  std::lock_guard lock(mu_);
  return leading_ && steady_clock::now() < term_end_;
}

std::string LeaderElector::leader() const {
  std::lock_guard lock(mu_);
  return observed_holder_;
}

void LeaderElector::run() {
  while (true) {
    bool flagged;
    SteadyTime term_end;
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      flagged = leading_;
      term_end = term_end_;
    }
    if (flagged && steady_clock::now() >= term_end) step_down();
    try {
      try_acquire_or_renew();
    } catch (const Json::exception&) {
      // A Lease with fields of the wrong type: not ours to fix; try again later.
    }
    milliseconds delay = jittered_retry();
    {
      std::lock_guard lock(mu_);
      if (leading_) {
        // Wake up when the term ends, to report it on time.
        auto left = std::chrono::ceil<milliseconds>(term_end_ - steady_clock::now());
        delay = std::clamp(left, milliseconds(1), config_.retry_period);
      }
    }
    if (!wait_for(delay)) break;
  }
  bool was_leading = leading();
  step_down();
  if (was_leading && config_.release_on_cancel) release();
}

bool LeaderElector::try_acquire_or_renew() {
  SteadyTime sent = steady_clock::now();
  bool flagged;
  {
    std::lock_guard lock(mu_);
    flagged = leading_;
  }
  if (flagged && written_ && try_optimistic_renew(sent)) return true;
  // A conflict, a failure, or a candidate: read the Lease and decide again.
  sent = steady_clock::now();
  Outcome<Json> lease = client_->get(kLeaseResource, config_.lease_namespace, config_.lease_name);
  if (lease) return acquire_from(std::move(*lease), sent);
  if (!is_not_found(lease.status())) return false;
  Json fresh = lease_object(config_);
  auto now = format_micro_time(std::chrono::system_clock::now());
  fresh["spec"] = {{"holderIdentity", config_.identity},
                   {"leaseDurationSeconds", lease_seconds_},
                   {"acquireTime", now},
                   {"renewTime", now},
                   {"leaseTransitions", 0}};
  return write_lease(std::move(fresh), sent, /*create=*/true);
}

bool LeaderElector::try_optimistic_renew(SteadyTime sent) {
  Json lease = *written_;
  lease["spec"]["renewTime"] = format_micro_time(std::chrono::system_clock::now());
  return write_lease(std::move(lease), sent, /*create=*/false);
}

bool LeaderElector::acquire_from(Json lease, SteadyTime sent) {
  observe(lease);
  const std::string holder = holder_of(lease);
  const bool mine = holder == config_.identity;
  if (!mine) step_down();  // someone else holds it (or released it): not us any more
  Json& spec = lease["spec"];
  if (!spec.is_object()) spec = Json::object();
  if (!holder.empty() && !mine) {
    std::int64_t seconds = spec.value("leaseDurationSeconds", lease_seconds_);
    if (steady_clock::now() < observed_time_ + std::chrono::seconds(seconds)) return false;
  }
  // A record naming us (a renewal after a conflict, or after our term
  // lapsed with nobody taking over) is ours to renew; the resourceVersion
  // precondition guarantees nobody wrote it since.
  auto now = format_micro_time(std::chrono::system_clock::now());
  std::int64_t transitions = spec.value("leaseTransitions", std::int64_t{0});
  if (!mine || !spec.contains("acquireTime")) spec["acquireTime"] = now;
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = lease_seconds_;
  spec["renewTime"] = now;
  spec["leaseTransitions"] = mine ? transitions : transitions + 1;
  return write_lease(std::move(lease), sent, /*create=*/false);
}

bool LeaderElector::write_lease(Json lease, SteadyTime sent, bool create) {
  Outcome<Json> answer = create ? client_->create(kLeaseResource, config_.lease_namespace, lease)
                                : client_->update(kLeaseResource, lease);
  if (!answer) return false;
  written_ = *answer;
  observe(*answer);
  if (steady_clock::now() >= sent + config_.renew_deadline) return false;  // too late to count
  become_leader(sent);
  return true;
}

void LeaderElector::observe(const Json& lease) {
  std::string spec = lease.value("spec", Json::object()).dump();
  if (spec == observed_spec_) return;
  observed_spec_ = std::move(spec);
  observed_time_ = steady_clock::now();
  std::string holder = holder_of(lease);
  bool changed;
  {
    std::lock_guard lock(mu_);
    changed = holder != observed_holder_;
    observed_holder_ = holder;
  }
  if (changed && config_.on_new_leader) config_.on_new_leader(holder);
}

void LeaderElector::become_leader(SteadyTime sent) {
  bool was;
  {
    std::lock_guard lock(mu_);
    term_end_ = std::max(term_end_, sent + config_.renew_deadline);
    was = leading_;
    leading_ = true;
  }
  if (!was && config_.on_started_leading) config_.on_started_leading();
}

void LeaderElector::step_down() {
  bool was;
  {
    std::lock_guard lock(mu_);
    was = leading_;
    leading_ = false;
  }
  if (was && config_.on_stopped_leading) config_.on_stopped_leading();
}

void LeaderElector::release() {
  // Called after step_down(): others may take over as soon as this lands.
  std::optional<Json> lease = written_;
  for (int attempt = 0; attempt < 2 && lease; ++attempt) {
    if (holder_of(*lease) != config_.identity) return;  // not ours any more
    Json& spec = (*lease)["spec"];
    auto now = format_micro_time(std::chrono::system_clock::now());
    spec["holderIdentity"] = "";
    spec["leaseDurationSeconds"] = 1;
    spec["renewTime"] = now;
    spec["acquireTime"] = now;
    Outcome<Json> answer = client_->update(kLeaseResource, *lease);
    if (answer || !is_conflict(answer.status())) return;
    Outcome<Json> fresh = client_->get(kLeaseResource, config_.lease_namespace, config_.lease_name);
    lease = fresh ? std::optional<Json>(std::move(*fresh)) : std::nullopt;
  }
}

bool LeaderElector::wait_for(milliseconds delay) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

milliseconds LeaderElector::jittered_retry() {
  // Up to 20% more than retry_period, so candidates do not try in step
  // (client-go jitters more; a smaller spread keeps takeover after a
  // release within about one retry period).
  std::uniform_int_distribution<std::int64_t> extra(0, config_.retry_period.count() / 5);
  return config_.retry_period + milliseconds(extra(rng_));
}

}  // namespace wsop::kube
