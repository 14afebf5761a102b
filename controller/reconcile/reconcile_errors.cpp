// The reconciler's safety net: whatever a reconcile step returns or throws,
// a failure ends up in the workspace's Synced condition and in an event
// (controller/reconcile/reconciler.h, report).
#include <exception>
#include <string>

#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {

using model::ConditionStatus;

Outcome<Result> WorkspaceReconciler::reconcile(const model::WorkspaceKey& key) {
  bool reported = false;
  Outcome<Result> result = Status::error(Code::kInternal, "reconcile did not run");
  try {
    result = reconcile_step(key, reported);
  } catch (const std::exception& e) {
    // A bug must neither take the worker down nor pass unseen.
    result = Status::error(Code::kInternal, std::string("reconcile threw: ") + e.what());
    reported = false;
  }
  if (!result && !reported) report(key, result.status());
  return result;
}

void WorkspaceReconciler::report(const model::WorkspaceKey& key, const Status& status) {
  std::string provider_config;
  std::string unstored;
  auto record = ctx_.store->get(key);
  if (record && *record) {
    provider_config = (*record)->provider_config;
    model::Conditions conditions = (*record)->conditions;
    set_condition(conditions.synced, ConditionStatus::kFalse, "ReconcileError", status.message(),
                  ctx_.clock->wall_now());
    if (!(conditions == (*record)->conditions)) unstored = store_failure_condition(key, conditions);
  }
  if (ctx_.events) {
    ctx_.events->on_event({EventType::kFailed, key, provider_config,
                           "ReconcileError: " + status.to_string() + unstored});
  }
}

std::string WorkspaceReconciler::store_failure_condition(const model::WorkspaceKey& key,
                                                         const model::Conditions& conditions) {
  Status stored = ctx_.store->set_conditions(key, conditions);
  return stored ? "" : "; Synced condition not stored: " + stored.to_string();
}

// Without its provider (the ProviderConfig could not be made, or its
// account could not be listed for want of credentials or trust) nothing is
// known of the remote side: the plan is "unknown", never a create that
// might duplicate a workspace the list would have shown.
plan::WorkspacePlan WorkspaceReconciler::unusable_plan(Step& step) const {
  plan::WorkspacePlan& out = step.plan;
  if (out.action == plan::Action::kSkip || out.action == plan::Action::kOrphan) return out;
  out.action = plan::Action::kNoop;
  out.unobserved = true;
  out.blocked = false;
  out.attributes.clear();
  out.changes.clear();
  // The message says what happened to it ("cannot be used: ...",
  // "could not be observed: ..."), as the command that set it aside wrote.
  out.note = "ProviderConfig \"" + step.provider_config + "\" " +
             ctx_.providers->error_of(step.provider_config).message();
  return out;
}

}  // namespace wsop::reconcile
