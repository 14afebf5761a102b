// Leader election over a coordination.k8s.io/v1 Lease (client-go's
// tools/leaderelection, smaller). One elector per process; its own thread.
//
//   - Candidate: every retry_period (with jitter) it reads the Lease. None:
//     it creates one naming itself holder. Held by another: it takes it over
//     only when the holder is empty (released) or when the record has not
//     changed for leaseDurationSeconds *as measured by the local steady
//     clock since this elector last saw the record change* (client-go's
//     observedTime rule; the remote renewTime is never compared with the
//     local clock, so clock skew between nodes does not matter). A takeover
//     increments leaseTransitions and sets acquireTime.
//   - Leader: every retry_period it renews (an update of renewTime carrying
//     the resourceVersion it last wrote; on 409 Conflict or any failure it
//     re-reads and tries again from what it read). A renewal that succeeds
//     extends its term to (the instant that renewal request was *sent*) +
//     renew_deadline. leading() compares that term with the clock on every
//     call, so it turns false at once when the term ends, even while a
//     request hangs; the thread then calls on_stopped_leading (within the
//     request timeout) and becomes a candidate again. A leader that reads
//     the Lease held by someone else steps down at once.
//   - stop(): a leader first turns leading() false and calls
//     on_stopped_leading, then (release_on_cancel) writes the Lease with an
//     empty holderIdentity, leaseDurationSeconds 1 and renewTime now, as
//     client-go does, so a standby takes over on its next try. Without
//     release the Lease stays until it expires (a crash looks the same).
//
// Why there are never two leaders (the caller must write only while
// leading() is true, and must have stopped writing when on_stopped_leading
// returns):
//   1. Every write of the Lease is an update with a resourceVersion
//      precondition (or a create that fails when it exists), so takeovers
//      are serialized by the API server: at most one candidate wins a given
//      version of the record.
//   2. Say the leader sent its last successful renewal at local time S. Any
//      other elector reads that record only after it was written, so it
//      first sees the record change at its time O >= S (durations are
//      measured on each node's steady clock; only their rates must agree).
//      It may take over only after O + lease_duration. The leader stopped
//      leading at S + renew_deadline < S + lease_duration <= O +
//      lease_duration because create() requires renew_deadline <
//      lease_duration (leaseDurationSeconds is lease_duration rounded up to
//      whole seconds, which only widens the gap). The margin is the
//      tolerance for clock rate drift and for the time the caller's last
//      write takes.
//   3. A released Lease (empty holder) is written only after the leader
//      stopped leading.
//
// Requests use a Client of the elector's own: no retries inside the client
// (the elector retries every retry_period) and a timeout of
// renew_deadline / 2, so stop() returns within about that.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "kube/client.h"
#include "kube/config.h"

namespace wsop::kube {

inline const Resource kLeaseResource{"coordination.k8s.io", "v1", "leases", true};

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;                              // empty: default_leader_identity()
  std::chrono::milliseconds lease_duration{15'000};  // client-go's defaults
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  bool release_on_cancel = true;
  // Called on the elector's thread, one at a time; they must not call stop().
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;               // must return once writes stopped
  std::function<void(const std::string&)> on_new_leader;  // the holder seen changed ("" released)
};

// hostname + "_" + 8 random hex digits.
std::string default_leader_identity();

// metav1.MicroTime: "2026-12-06T23:40:30.123456Z".
std::string format_micro_time(std::chrono::system_clock::time_point time);

class LeaderElector {
 public:
  // kInvalid unless the namespace and name are set and
  // 0 < retry_period < renew_deadline < lease_duration, lease_duration >= 1 s.
  static Outcome<std::unique_ptr<LeaderElector>> create(const RestConfig& rest,
                                                        LeaderElectionConfig config);
  ~LeaderElector();  // stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();  // once
  // Prompt (see above); releases the Lease when leading and
  // release_on_cancel. Safe to call twice.
  void stop();

  bool leading() const;
  const std::string& identity() const { return config_.identity; }
  std::string leader() const;  // the holder last seen; "" when none or unknown

  // For create(): does not check the configuration, and the client should
  // be one without retries (see above).
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void run();
  bool try_acquire_or_renew();
  bool try_optimistic_renew(SteadyTime sent);
  bool acquire_from(Json lease, SteadyTime sent);
  bool write_lease(Json lease, SteadyTime sent, bool create);
  void observe(const Json& lease);
  void become_leader(SteadyTime sent);
  void step_down();
  void release();
  bool wait_for(std::chrono::milliseconds delay);  // false when stopping
  std::chrono::milliseconds jittered_retry();

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  std::int64_t lease_seconds_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;        // guarded by mu_
  bool leading_ = false;         // guarded by mu_
  SteadyTime term_end_{};        // guarded by mu_: the last renewal sent + renew_deadline
  std::string observed_holder_;  // guarded by mu_

  // Thread-only state.
  std::optional<Json> written_;  // the Lease as we last wrote it (for optimistic renewals)
  std::string observed_spec_;    // the record last seen, to notice changes
  SteadyTime observed_time_{};   // when it was first seen
  std::mt19937 rng_;             // retry jitter
  std::thread thread_;
};

}  // namespace wsop::kube
