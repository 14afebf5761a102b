// The one prune guard (ARCHITECTURE.md section 5, "Prune guards"): Argo CD's
// allowEmpty and a cap on how much one revision may prune. `wsctl apply
// --prune` refuses the run when it trips; the controller keeps reconciling
// the revision without pruning. Both count with count_prune and decide with
// prune_refusal, so the two cannot disagree on what "too much" is.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/status.h"
#include "controller/reconcile/desired_state.h"
#include "controller/state/state_store.h"

namespace wsop::reconcile {

struct PruneCount {
  size_t managed = 0;         // records owned by this instance
  size_t leaving = 0;         // of those, the ones this revision would delete or forget
  bool source_empty = false;  // the revision has no workspaces at all
};

// Counts what pruning `desired` would remove from `store` for `instance_id`:
// a record whose manifest left the source and that plan_workspace would
// delete or forget (not paused, no pending create, this instance's), unless
// a manifest's external-name claims its remote workspace (a rename, never
// pruned: move.cpp). Reads only the keys, then the records that left.
Outcome<PruneCount> count_prune(state::StateStore& store, const DesiredState& desired,
                                const std::string& instance_id);

struct PruneGuardOptions {
  int max_prune_percent = 50;  // --max-prune
  bool force = false;          // apply --force: no guard
};

// Why this revision may not prune (for people: "the source has no
// workspaces: refusing to prune 3"), or nullopt when it may.
std::optional<std::string> prune_refusal(const PruneCount& count, const PruneGuardOptions& options);

}  // namespace wsop::reconcile
