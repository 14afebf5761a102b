// What a create checks before its journal record is written: that the
// workspace is not already there (providers::ExistingIdentity), and that no
// other create of the same request is unresolved (create_gate.h). Neither
// sends a request: both read what the ProviderConfig's last list and the
// state store already hold.
#include <chrono>
#include <string>
#include <vector>

#include "controller/reconcile/observed_json.h"
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {
namespace {

std::string joined_ids(const std::vector<providers::RemoteWorkspace>& workspaces) {
  std::string out;
  for (const auto& ws : workspaces) out += (out.empty() ? "" : ", ") + ws.id;
  return out;
}

std::string import_hint(const model::WorkspaceKey& key, const std::string& id) {
  return "`wsctl import " + key.name + " -n " + key.ns + " --id " + id + "`";
}

}  // namespace

// What the ProviderConfig's cached list shows of `step`'s identity, without
// sending anything (diff plans with it; check_existing acts on it).
Outcome<WorkspaceReconciler::Existing> WorkspaceReconciler::find_existing(
    const Step& step, const providers::ExistingIdentity& identity) {
  Existing out;
  std::vector<providers::RemoteWorkspace> unowned;
  std::vector<providers::RemoteWorkspace> owned;
  std::string owners;
  for (auto& match : ctx_.cache->find_all(step.provider_config, identity)) {
    auto owner = ctx_.store->find_by_remote_id(step.provider_config, match.id);
    if (!owner) return owner.status();
    if (*owner && (*owner)->key == step.key) continue;  // its own, now gone: being replaced
    if (*owner) owners += (owners.empty() ? "" : ", ") + (*owner)->key.to_string();
    (*owner ? owned : unowned).push_back(std::move(match));
  }
  if (unowned.empty() && owned.empty()) return out;
  using Proof = providers::ExistingIdentity::Proof;
  if (identity.proof == Proof::kOwned && unowned.size() == 1 && owned.empty()) {
    out.adopt = std::move(unowned.front());
    out.note = "remote workspace " + out.adopt->id + " already matches " + identity.method +
               ": adopted, not created";
    return out;
  }
  if (!unowned.empty()) {
    out.note = std::to_string(unowned.size()) + " workspace(s) not managed here match " +
               identity.method + " (" + joined_ids(unowned) + "): run " +
               import_hint(step.key, unowned.front().id) + " to manage " +
               (unowned.size() == 1 ? "it" : "the right one");
  } else {
    out.note = "the workspaces matching " + identity.method + " (" + joined_ids(owned) +
               ") are managed by " + owners;
  }
  if (identity.proof == Proof::kSameName && !identity.allow_duplicates_hint.empty()) {
    out.note += "; or " + identity.allow_duplicates_hint + " on ProviderConfig \"" +
                step.provider_config + "\" to create another of the same name";
  }
  out.already_exists = true;
  return out;
}

// A first create must not make a second workspace of one identity: the
// last list of the ProviderConfig (one is sent now if there is none yet)
// shows what is already there. Unset: go ahead and create.
Outcome<std::optional<Result>> WorkspaceReconciler::check_existing(Step& step) {
  auto identity = step.provider->existing_identity(*step.desired);
  if (!identity) return std::optional<Result>();
  const std::string& config = step.provider_config;
  if (ctx_.cache->listed_at(config) == ObservedCache::TimePoint{}) {
    Status listed = ctx_.cache->refresh(config, ctx_.options.max_observation_age,
                                        [&] { return list_scope(*step.provider, config); });
    // Without a list nothing shows the identity free: creating could
    // duplicate, so the create waits for a list that works.
    if (!listed.is_ok()) return failed(step, listed, "ExistingLookupFailed").status();
  }
  auto existing = find_existing(step, *identity);
  if (!existing) return existing.status();
  if (existing->adopt) {
    auto adopted = adopt_existing(step, *existing->adopt, existing->note);
    if (!adopted) return adopted.status();
    return std::optional<Result>(*adopted);
  }
  if (!existing->already_exists) return std::optional<Result>();
  step.plan.note = existing->note;
  auto result = blocked(step, "AlreadyExists", EventType::kFailed);
  if (!result) return result.status();
  return std::optional<Result>(*result);
}

// What diff shows for a create that would adopt or be refused instead.
Status WorkspaceReconciler::plan_existing(Step& step) {
  if (step.plan.action != plan::Action::kCreate || !step.provider || !step.desired) {
    return Status::ok();
  }
  auto identity = step.provider->existing_identity(*step.desired);
  if (!identity) return Status::ok();
  auto existing = find_existing(step, *identity);
  if (!existing) return existing.status();
  if (existing->adopt) {
    step.plan.action = plan::Action::kAdopt;
    step.plan.note = existing->note;
  } else if (existing->already_exists) {
    step.plan.blocked = true;
    step.plan.note = "AlreadyExists: " + existing->note;
  }
  return Status::ok();
}

// The one unowned workspace that carries this manifest's identity was made
// by this operator (its record was lost): it is adopted, as the journal's
// lookup adopts a lost create's workspace.
Outcome<Result> WorkspaceReconciler::adopt_existing(Step& step,
                                                    const providers::RemoteWorkspace& found,
                                                    const std::string& why) {
  state::WorkspaceRecord record = adopted_record(step.record ? *step.record : new_record(step),
                                                 found.id, found, state::Origin::kAdopted);
  if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  ctx_.cache->put(step.provider_config, found);
  emit(EventType::kAdopted, step, why);
  return reconcile_step(step.key, *step.reported);
}

// Another workspace's create of the same request is unresolved: this one
// waits its turn (create_gate.h), looking again soon.
Outcome<Result> WorkspaceReconciler::wait_for_turn(Step& step, const model::WorkspaceKey& holder) {
  step.plan.note = "waiting for the create of " + holder.to_string() +
                   ", which sent the same request, to be resolved: two unresolved creates of "
                   "one request could not be told apart";
  auto now = ctx_.clock->wall_now();
  state::WorkspaceRecord record = step.record ? *step.record : new_record(step);
  set_condition(record.conditions.synced, model::ConditionStatus::kFalse, "CreateQueued",
                step.plan.note, now);
  if (!step.record || !(record == *step.record)) {
    if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  }
  return Result{ctx_.options.resolve_delay / 4};
}

}  // namespace wsop::reconcile
