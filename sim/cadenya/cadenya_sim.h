// The simulated Cadenya workspace administration API, as
// ../shared/providers/cadenya.md describes it: google.rpc.Status error bodies
// with gRPC codes, "ws_" + ULID ids, admin-only tokens (401 without one, 403
// for a non-admin), archive on DELETE with ?includeArchived=true, the
// `labels=k=v,k2=v2` filter (AND), cursor pagination, updateMask, a required
// metadata.name on PATCH, arbitrary string labels (seed 002: "Arbitrary
// key-value pairs") and 415 for a body that is not JSON.
#pragma once

#include <memory>

#include "sim/core/api.h"
#include "sim/core/auth.h"

namespace wsop::sim::cadenya {

// Besides the bearer tokens (sim::AuthConfig: its admin tokens are the
// ones that may administer workspaces).
struct SimOptions {
  int default_page_size = 50;
  int max_page_size = 100;
};

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options);

}  // namespace wsop::sim::cadenya
