// Requests a person makes of named workspaces (`wsctl delete`, `forget`,
// `import`): planned by plan::plan_request, carried out by the same steps
// as a reconcile (remove, forget) with the same events, so that a delete
// asked for by name and one that pruning decides are one code path, owner
// check included.
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {

// The ProviderConfig a request acts through: the record's for a delete or a
// forget (where the remote lives), the manifest's for an import.
Outcome<WorkspaceReconciler::Step> WorkspaceReconciler::prepare_request(
    const model::WorkspaceKey& key, const plan::Request& request) {
  auto read = read_step(key);
  if (!read) return read.status();
  Step step = std::move(*read);
  const bool import = request.kind == plan::RequestKind::kImport;
  if (import && step.desired) step.provider_config = step.desired->provider_config;
  if (!import && step.record) step.provider_config = step.record->provider_config;
  plan::RequestFacts facts;
  facts.provider_config_defined = step.snapshot && !step.provider_config.empty() &&
                                  step.snapshot->set().find_provider_config(step.provider_config);
  std::optional<state::WorkspaceRecord> holder;
  if (import && step.desired) {
    auto found = ctx_.store->find_by_remote_id(step.provider_config, request.import_id);
    if (!found) return found.status();
    if (*found && (*found)->key != key) {
      holder = std::move(**found);
      facts.import_holder = &*holder;
      facts.holder_in_source = step.snapshot->find(holder->key) != nullptr;
    }
  }
  auto planned = plan::plan_request(
      request, key, step.desired, step.record ? &*step.record : nullptr, facts, ctx_.options.plan);
  if (!planned) return planned.status();
  step.plan = std::move(*planned);
  step.moved_from = step.plan.moved_from;
  if (!step.provider_config.empty()) step.provider = ctx_.providers->get(step.provider_config);
  return step;
}

Outcome<plan::WorkspacePlan> WorkspaceReconciler::plan_request(const model::WorkspaceKey& key,
                                                               const plan::Request& request) {
  auto step = prepare_request(key, request);
  if (!step) return step.status();
  return step->plan;
}

Outcome<WorkspaceReconciler::RequestDone> WorkspaceReconciler::carry_out(
    const model::WorkspaceKey& key, const plan::Request& request) {
  auto step = prepare_request(key, request);
  if (!step) return step.status();
  RequestDone done{step->plan, step->record};
  Outcome<Result> result = Result{};
  switch (step->plan.action) {
    case plan::Action::kDelete:
      result = step->provider ? remove(*step)
                              : failed(*step, ctx_.providers->error_of(step->provider_config),
                                       "ProviderUnavailable");
      break;
    case plan::Action::kOrphan: result = forget(*step); break;
    case plan::Action::kAdopt: result = import_remote(*step, request.import_id); break;
    default: break;  // plan_request plans nothing else
  }
  if (!result) return result.status();
  return done;
}

// The record an import leaves: the remote observed as get_to_adopt saw it,
// owned by this instance, origin imported; the next reconcile brings the
// remote in line with its manifest.
Outcome<Result> WorkspaceReconciler::import_remote(Step& step, const std::string& id) {
  if (!step.provider) {
    return failed(step, ctx_.providers->error_of(step.provider_config), "ProviderUnavailable");
  }
  auto remote = step.provider->get_to_adopt(id, *step.desired);
  if (!remote) return failed(step, remote.status(), "ImportFailed");
  // The manifest's and this instance's now, whatever an earlier record of
  // the key said (plan_request checked that it is this instance's).
  state::WorkspaceRecord base = step.record ? *step.record : new_record(step);
  base.external_id = step.desired->external_id;
  base.provider_config = step.provider_config;
  base.provider_type = step.provider->type();
  base.owner_instance_id = ctx_.options.plan.instance_id;
  base.deletion_policy = step.desired->deletion_policy;
  base.management_policy = step.desired->management_policy;
  base.paused = step.desired->paused();
  state::WorkspaceRecord record =
      adopted_record(std::move(base), id, *remote, state::Origin::kImported);
  Status stored =
      step.moved_from ? ctx_.store->move(*step.moved_from, record) : ctx_.store->put(record);
  if (!stored.is_ok()) return stored;
  ctx_.cache->put(step.provider_config, *remote);
  if (step.moved_from) {
    emit(EventType::kMoved, step,
         "from " + step.moved_from->to_string() + ", remote workspace " + id + " kept");
  }
  emit(EventType::kAdopted, step, "remote workspace " + id + " imported");
  return Result{};
}

}  // namespace wsop::reconcile
