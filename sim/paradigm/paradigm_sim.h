// The simulated LightOn Paradigm v3 workspace API, as
// ../shared/providers/paradigm.md describes it: integer ids from 1, DRF error
// bodies ({"detail": ...} and field errors), 403 for unknown or soft-deleted
// ids, soft delete with ?include_deleted=true, page/page_size pagination with
// an absolute `next`, PATCH of name and description only, company-scoped
// tokens for the company list, read-only tokens that may not create, and 415
// for a body in a media type the create page does not list.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/core/api.h"
#include "sim/core/auth.h"

namespace wsop::sim::paradigm {

struct SimCompany {
  std::int64_t id = 0;
  std::string name;
};

// Besides the bearer tokens (sim::AuthConfig, whose admin tokens are
// irrelevant to Paradigm).
struct SimOptions {
  std::vector<SimCompany> companies{{1, "Default Company"}};
  // The company of a token, which GET /api/v3/company/workspaces lists (the
  // list is company-scoped: paradigm.md, "Traps"). A token not named here
  // belongs to company 1. Tokens named here or in readonly_tokens are
  // accepted in addition to the AuthConfig's (when it names none, any
  // non-empty token is accepted anyway).
  std::map<std::string, std::int64_t> token_companies;
  // Tokens without the right to create instance workspaces: their creates
  // answer 403 (seed 000 lines 58-59); reads and lists still work.
  std::set<std::string> readonly_tokens;
  int default_page_size = 20;
  int max_page_size = 100;
};

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options);

}  // namespace wsop::sim::paradigm
