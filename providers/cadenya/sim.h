// The simulated Cadenya workspace administration API, as
// ../shared/providers/cadenya.md describes it: google.rpc.Status error bodies
// with gRPC codes, "ws_" + ULID ids, admin-only tokens (401 without one, 403
// for a non-admin), archive on DELETE with ?includeArchived=true, the
// `labels=k=v,k2=v2` filter (AND), cursor pagination, updateMask, a required
// metadata.name on PATCH, arbitrary string labels (seed 002: "Arbitrary
// key-value pairs") and 415 for a body that is not JSON.
#pragma once

#include <memory>

#include "providers/sim/api.h"
#include "providers/sim/auth.h"

namespace wsop::cadenya {

struct SimOptions {
  sim::AuthConfig auth;
  int default_page_size = 50;
  int max_page_size = 100;
};

std::unique_ptr<sim::Api> make_simulator(SimOptions options);

}  // namespace wsop::cadenya
