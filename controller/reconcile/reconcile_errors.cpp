// The reconciler's safety net: whatever a reconcile step returns or throws,
// a failure ends up in the workspace's Synced condition and in an event
// (controller/reconcile/reconciler.h, report).
#include <exception>
#include <string>

#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {

using state::ConditionStatus;

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
  auto record = ctx_.store->get(key);
  if (record && *record) {
    provider_config = (*record)->provider_config;
    state::Conditions conditions = (*record)->conditions;
    set_condition(conditions.synced, ConditionStatus::kFalse, "ReconcileError", status.message(),
                  std::chrono::system_clock::now());
    if (!(conditions == (*record)->conditions)) ctx_.store->set_conditions(key, conditions);
  }
  if (ctx_.events) {
    ctx_.events->on_event(
        {EventType::kFailed, key, provider_config, "ReconcileError: " + status.to_string()});
  }
}

}  // namespace wsop::reconcile
