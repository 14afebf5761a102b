// One simulated provider as served on its own port: the vendor Api behind
// fault injection and call statistics, plus the admin API under /_sim/
// (ARCHITECTURE.md section 9), which is never subject to faults, auth or the
// rate limit:
//   GET  /_sim/stats   calls by operation and outcome
//   GET  /_sim/state   every stored workspace, deleted/archived included
//   POST /_sim/reset   forget all workspaces, clear stats, restore start-up faults
//   GET  /_sim/faults, PUT /_sim/faults   read / change fault settings
#pragma once

#include <memory>

#include "common/http/message.h"
#include "sim/core/api.h"
#include "sim/core/faults.h"
#include "sim/core/stats.h"

namespace wsop::sim {

class Service {
 public:
  Service(std::unique_ptr<Api> api, Faults initial_faults, std::uint64_t seed);

  // The server's handler: thread-safe.
  http::Response handle(const http::Request& request);

  Api& api() { return *api_; }
  FaultInjector& faults() { return faults_; }
  const CallStats& stats() const { return stats_; }

 private:
  http::Response admin(const http::Request& request);
  http::Response unrouted(const http::Request& request) const;

  std::unique_ptr<Api> api_;
  FaultInjector faults_;
  CallStats stats_;
};

}  // namespace wsop::sim
