// A rename, as Terraform's `moved` block: a manifest whose external-name
// annotation names the remote workspace of a record whose manifest left the
// source takes that record over. The plan shows one move, and the old key
// is never deleted nor pruned: deleting it would delete the very workspace
// the new manifest adopts. The record moves in one state-store transaction
// (StateStore::move), so no moment has two owners of the remote id nor none.
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {

namespace {

// Whether `record` may be taken over: ours, known, and not mid-create.
bool movable(const state::WorkspaceRecord& record, const std::string& instance_id) {
  return record.remote_id && record.owner_instance_id == instance_id &&
         record.create.state != state::CreateState::kPending;
}

}  // namespace

// Called by prepare() before the plan: sets step.moved_from (and the record
// the plan is made against) or step.moving_to.
Status WorkspaceReconciler::find_move(Step& step) {
  if (!step.snapshot) return Status::ok();
  const std::string& instance = ctx_.options.plan.instance_id;
  if (!step.desired) {
    if (!step.record || !step.record->remote_id) return Status::ok();
    const model::Workspace* claimant =
        step.snapshot->claimant(step.provider_config, *step.record->remote_id);
    if (claimant && claimant->key() != step.key) step.moving_to = claimant->key();
    return Status::ok();
  }
  auto id = step.desired->external_name();
  if (!id || step.desired->paused() || (step.record && step.record->remote_id)) {
    return Status::ok();
  }
  auto owner = ctx_.store->find_by_remote_id(step.provider_config, *id);
  if (!owner) return owner.status();
  if (!*owner || (*owner)->key == step.key || step.snapshot->find((*owner)->key) ||
      !movable(**owner, instance)) {
    return Status::ok();  // nothing to move, or a conflict adopt() reports
  }
  step.moved_from = (*owner)->key;
  state::WorkspaceRecord record = std::move(**owner);
  record.key = step.key;
  record.external_id = step.desired->external_id;
  record.deletion_policy = step.desired->deletion_policy;
  record.management_policy = step.desired->management_policy;
  step.record = std::move(record);
  return Status::ok();
}

// Called by prepare() after the plan.
void WorkspaceReconciler::plan_move(Step& step) const {
  if (step.moving_to) {
    // Whatever pruning would do: the remote is another manifest's now.
    step.plan.action = plan::Action::kSkip;
    step.plan.changes.clear();
    step.plan.note = "moving to " + step.moving_to->to_string() +
                     ", whose external-name names its remote workspace " + *step.record->remote_id +
                     ": never deleted";
    return;
  }
  if (!step.moved_from) return;
  step.plan.moved_from = step.moved_from;
  std::string moved = "moved from " + step.moved_from->to_string() + " (remote workspace " +
                      *step.record->remote_id + ")";
  step.plan.note = step.plan.note.empty() ? moved : moved + "; " + step.plan.note;
}

// The record moves first, then the workspace is reconciled under its new
// key as any other (an update if the new manifest differs).
Outcome<Result> WorkspaceReconciler::move(Step& step) {
  if (Status s = ctx_.store->move(*step.moved_from, *step.record); !s.is_ok()) return s;
  emit(EventType::kMoved, step,
       "from " + step.moved_from->to_string() + ", remote workspace " + *step.record->remote_id +
           " kept");
  return reconcile_step(step.key, *step.reported);
}

}  // namespace wsop::reconcile
