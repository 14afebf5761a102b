#include "controller/reconcile/prune_guard.h"

#include "controller/plan/plan.h"

namespace wsop::reconcile {

namespace {

// Whether the planner would prune `record` (its manifest gone, pruning on),
// and no manifest takes it over by external-name.
bool would_prune(const state::WorkspaceRecord& record, const DesiredState& desired,
                 const std::string& instance_id) {
  plan::PlanOptions options;
  options.prune = true;
  options.instance_id = instance_id;
  auto planned = plan::plan_workspace(nullptr, &record, {}, nullptr, options);
  if (planned.action != plan::Action::kDelete && planned.action != plan::Action::kOrphan) {
    return false;
  }
  if (!record.remote_id) return true;
  const model::Workspace* claimant = desired.claimant(record.provider_config, *record.remote_id);
  return claimant == nullptr || claimant->key() == record.key;
}

}  // namespace

Outcome<PruneCount> count_prune(state::StateStore& store, const DesiredState& desired,
                                const std::string& instance_id) {
  auto keys = store.keys();
  if (!keys) return keys.status();
  PruneCount count;
  count.source_empty = desired.set().workspaces.empty();
  for (const auto& r : *keys) {
    if (r.owner_instance_id != instance_id) continue;
    ++count.managed;
    if (desired.find(r.key)) continue;
    auto record = store.get(r.key);
    if (!record) return record.status();
    if (*record && would_prune(**record, desired, instance_id)) ++count.leaving;
  }
  return count;
}

std::optional<std::string> prune_refusal(const PruneCount& count,
                                         const PruneGuardOptions& options) {
  if (count.leaving == 0 || options.force) return std::nullopt;
  if (count.source_empty) {
    return "the source has no workspaces: refusing to prune " + std::to_string(count.leaving);
  }
  if (count.leaving * 100 > count.managed * static_cast<size_t>(options.max_prune_percent)) {
    return "pruning would delete " + std::to_string(count.leaving) + " of " +
           std::to_string(count.managed) + " managed workspaces, more than --max-prune=" +
           std::to_string(options.max_prune_percent) + "%";
  }
  return std::nullopt;
}

}  // namespace wsop::reconcile
