// The controller's one HTTP server (ARCHITECTURE.md section 7):
//   /metrics            Prometheus text format
//   /healthz            the process is alive and no loop is stuck in one turn
//                       (503 with the reason otherwise: a liveness probe)
//   /readyz             the first revision is loaded and the state store open
//                       (503 with the reason otherwise)
//   /api/v1/workspaces  read-only status, as `wsctl get -o json`
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "common/http/message.h"
#include "controller/observability/metrics.h"

namespace wsop::observability {

struct EndpointContext {
  Metrics* metrics = nullptr;
  state::StateStore* store = nullptr;
  const runtime::WorkQueue* queue = nullptr;
  const std::atomic<bool>* ready = nullptr;
  // The reason /healthz fails (a stalled loop); nothing when healthy.
  std::function<std::optional<std::string>()> stalled;
  // The reason /readyz fails while not ready.
  std::function<std::string()> not_ready_reason;
  // Said after "ok" once ready (kubernetes mode: "leader" or "standby, the
  // leader is X"); null: "ok" alone.
  std::function<std::string()> ready_detail;
};

http::Response serve(const EndpointContext& context, const http::Request& request);

}  // namespace wsop::observability
