// A workspace's status as `wsctl get -o json` and the controller's
// /api/v1/workspaces show it: identity, conditions and what was observed,
// from the state store alone. Carries no token (the store has none).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "controller/state/state_store.h"

namespace wsop::reconcile {

nlohmann::ordered_json workspace_status_json(const state::WorkspaceRecord& record);
// {"apiVersion": "v1", "kind": "List", "items": [...]}
nlohmann::ordered_json workspace_status_list(const std::vector<state::WorkspaceRecord>& records);

}  // namespace wsop::reconcile
