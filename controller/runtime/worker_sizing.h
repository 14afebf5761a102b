// How many reconciles run at once when the user does not say (`wsctl apply`
// and `wsctl controller` without --workers): enough to keep every
// ProviderConfig's rate limit busy, so that the limit is the throttle and
// not the worker count. A reconcile holds its worker for at least one
// request's round trip, so a bucket of qps needs qps x round trip workers;
// fewer leave budget unspent (docs/PERFORMANCE.md, "Workers").
#pragma once

#include <cstddef>
#include <limits>

#include "controller/manifest/manifest_set.h"

namespace wsop::runtime {

inline constexpr int kMaxWorkers = 256;

// 200 ms is a slow SaaS API's round trip; the half again on top covers the
// reads, the writes of the record (a state store, or the Workspace object
// through the Kubernetes API) and the jitter around them. At most `planned`
// (the work there is) and kMaxWorkers; at least one.
int workers_for(const manifest::ManifestSet& set,
                size_t planned = std::numeric_limits<size_t>::max());

}  // namespace wsop::runtime
