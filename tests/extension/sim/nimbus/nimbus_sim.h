// The simulated Nimbus API (a fake vendor of the test build only,
// tests/extension/README.md), over sim/core: bearer tokens, faults and the
// /_sim/ admin API come from sim/core/service.h.
//
//   POST   /v2/workspaces        {name, externalId, region, tier?} -> 201 workspace
//   GET    /v2/workspaces?page=N -> {workspaces: [...], nextPage: N+1 | null}
//   GET    /v2/workspaces/{id}   -> 200 workspace | 404
//   PATCH  /v2/workspaces/{id}   {name?, externalId?, tier?} -> 200; region is immutable (400)
//   DELETE /v2/workspaces/{id}   -> 204 | 404
//
// A workspace: {id: "nb-<n>", name, externalId, region, tier, createdAt};
// an error: {"error": {"message": "..."}}.
#pragma once

#include <memory>

#include "sim/core/api.h"
#include "sim/core/auth.h"
#include "sim/core/registry.h"

namespace wsop::sim::nimbus {

struct SimOptions {
  // Small pages, so that every list with a few workspaces pages.
  int page_size = 2;
};

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options);

// Its registration (sim/core/registry.h): no keys nor flags of its own.
SimulatorDescriptor descriptor();

}  // namespace wsop::sim::nimbus
