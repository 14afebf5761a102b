// The simulated LightOn Paradigm v3 workspace API, as
// ../shared/providers/paradigm.md describes it: integer ids from 1, DRF error
// bodies ({"detail": ...} and field errors), 403 for unknown or soft-deleted
// ids, soft delete with ?include_deleted=true, page/page_size pagination with
// an absolute `next`, and PATCH of name and description only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "providers/sim/api.h"
#include "providers/sim/auth.h"

namespace wsop::paradigm {

struct SimCompany {
  std::int64_t id = 0;
  std::string name;
};

struct SimOptions {
  sim::AuthConfig auth;  // admin tokens are irrelevant to Paradigm
  std::vector<SimCompany> companies{{1, "Default Company"}};
  int default_page_size = 20;
  int max_page_size = 100;
};

std::unique_ptr<sim::Api> make_simulator(SimOptions options);

}  // namespace wsop::paradigm
