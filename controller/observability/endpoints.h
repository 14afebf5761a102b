// The controller's one HTTP server (ARCHITECTURE.md section 7):
//   /metrics            Prometheus text format
//   /healthz            the process is alive
//   /readyz             the first revision is loaded and the state store open
//   /api/v1/workspaces  read-only status, as `wsctl get -o json`
#pragma once

#include <atomic>
#include <functional>

#include "common/http/message.h"
#include "controller/observability/metrics.h"

namespace wsop::observability {

struct EndpointContext {
  Metrics* metrics = nullptr;
  state::StateStore* store = nullptr;
  const runtime::WorkQueue* queue = nullptr;
  const std::atomic<bool>* ready = nullptr;
};

http::Response serve(const EndpointContext& context, const http::Request& request);

}  // namespace wsop::observability
