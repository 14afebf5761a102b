// The reconcile flow: read the record, observe the remote, plan, execute.
// The create journal's steps are in create_journal.cpp.
#include "controller/reconcile/reconciler.h"

#include <algorithm>

#include "common/text.h"
#include "controller/manifest/render.h"
#include "providers/descriptor.h"

#include "controller/reconcile/observed_json.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {

using model::ConditionStatus;

void set_condition(model::Condition& condition, ConditionStatus status, const std::string& reason,
                   const std::string& message, state::Time now) {
  if (condition.status != status || !condition.last_transition_time) {
    condition.last_transition_time = now;
  }
  condition.status = status;
  condition.reason = reason;
  condition.message = message;
}

void set_ready_from(model::Conditions& c, const providers::RemoteWorkspace& remote,
                    state::Time now) {
  switch (remote.phase) {
    case providers::Phase::kReady:
      set_condition(c.ready, ConditionStatus::kTrue, "Available", "", now);
      break;
    case providers::Phase::kStopped:
      set_condition(c.ready, ConditionStatus::kTrue, "Stopped", "provider status " + remote.status,
                    now);
      break;
    case providers::Phase::kProvisioning:
      set_condition(c.ready, ConditionStatus::kFalse, "Provisioning",
                    "provider status " + remote.status, now);
      break;
    case providers::Phase::kFailed:
      set_condition(
          c.ready, ConditionStatus::kFalse, "ProvisioningFailed",
          remote.error_message.empty() ? "provider status " + remote.status : remote.error_message,
          now);
      break;
    case providers::Phase::kGone:
      set_condition(c.ready, ConditionStatus::kFalse, "Unavailable", "remote workspace is gone",
                    now);
      break;
  }
}

state::WorkspaceRecord adopted_record(state::WorkspaceRecord base, const std::string& remote_id,
                                      const providers::RemoteWorkspace& remote,
                                      state::Origin origin) {
  base.remote_id = remote_id;
  base.origin = origin;
  base.create = {};
  base.observed_json = to_json(remote).dump();
  return base;
}

namespace {

// Some reads leave out fields that other reads report; the provider knows
// which of its own it keeps from the last observation of the same workspace
// (providers/provider.h, keep_unreported): without it the plan could not
// see an immutable change.
void keep_unreported_from_last(const providers::Provider& provider,
                               providers::RemoteWorkspace& remote,
                               const providers::RemoteWorkspace& last) {
  if (remote.id != last.id) return;
  provider.keep_unreported(last, remote);
}

}  // namespace

Outcome<WorkspaceReconciler::Step> WorkspaceReconciler::read_step(
    const model::WorkspaceKey& key) const {
  Step step;
  step.key = key;
  step.snapshot = ctx_.desired();
  step.desired = step.snapshot ? step.snapshot->find(key) : nullptr;
  auto record = ctx_.store->get(key);
  if (!record) return record.status();
  step.record = std::move(*record);
  return step;
}

Outcome<WorkspaceReconciler::Step> WorkspaceReconciler::prepare(const model::WorkspaceKey& key,
                                                                bool may_defer) {
  auto read = read_step(key);
  if (!read) return read.status();
  Step step = std::move(*read);
  if (!step.desired && !step.record) return step;
  step.provider_config =
      step.desired ? step.desired->provider_config : step.record->provider_config;
  step.provider = ctx_.providers->get(step.provider_config);
  if (Status s = find_move(step); !s.is_ok()) return s;
  if (step.provider && step.record) {
    step.observation = observe(*step.record, *step.provider, step.provider_config,
                               may_defer ? &step.poll_deferred : nullptr);
    if (step.poll_deferred) return step;
  }
  plan::PlanOptions options = ctx_.options.plan;
  options.prune = options.prune && step.snapshot && step.snapshot->prune_allowed(key);
  step.plan = plan::plan_workspace(step.desired, step.record ? &*step.record : nullptr,
                                   step.observation, step.provider.get(), options);
  plan_move(step);
  return step;
}

// One list of the config, over the scope its desired workspaces span; the
// snapshot keeps that scope's workspaces alive while the list runs.
Outcome<std::vector<providers::RemoteWorkspace>> WorkspaceReconciler::list_scope(
    providers::Provider& provider, const std::string& config) const {
  auto snapshot = ctx_.desired();
  return provider.list(snapshot ? snapshot->workspaces_of(config)
                                : std::vector<const model::Workspace*>{});
}

plan::Observation WorkspaceReconciler::observe(const state::WorkspaceRecord& record,
                                               providers::Provider& provider,
                                               const std::string& config,
                                               std::optional<std::chrono::milliseconds>* deferred) {
  plan::Observation out;
  if (!record.remote_id || record.create.state == state::CreateState::kPending) return out;
  const std::string& id = *record.remote_id;
  auto last = remote_from_json(record.observed_json);
  bool provisioning = last && last->phase == providers::Phase::kProvisioning;
  auto max_age = provisioning ? provisioning_poll(config) : ctx_.options.max_observation_age;
  ObservedCache::Lookup cached;
  if (provisioning && provider.capabilities().list_shows_all) {
    // Poll provisioning workspaces through one shared list a period
    // (section 5). The list's age decides, not the entry's: the create's
    // answer is newer than the last list but says nothing new.
    // The scope is built only when a list is sent: most polls find one.
    // A poll that would wait for another worker's list comes back when the
    // list lands instead: the provisioning workspaces fall due together, and
    // all of them waiting would hold every worker and leave every provider's
    // budget unspent for the length of the list.
    if (deferred) {
      if (auto lands = ctx_.cache->list_lands_in(config, max_age)) {
        *deferred = *lands + std::chrono::milliseconds(1);
        return out;
      }
    }
    Status listed =
        ctx_.cache->refresh(config, max_age, [&] { return list_scope(provider, config); });
    // After a refresh every entry comes from a list within max_age or from
    // a later write, so whatever the cache holds now is fresh enough.
    if (listed.is_ok()) cached = ctx_.cache->find(config, id, std::chrono::hours(24));
  } else {
    cached = ctx_.cache->find(config, id, max_age);
  }
  if (cached.remote) {
    out.remote = cached.remote;
    // A list may leave out what a GET or create reported.
    if (last) keep_unreported_from_last(provider, *out.remote, *last);
    return out;
  }
  // Missing from a fresh list is not proof of absence: the list covers the
  // scope of the desired workspaces (Paradigm: their companies), and a
  // workspace whose immutable scope changed (companyId) lies outside it.
  // Concluding "gone" would create a duplicate; one GET decides instead.
  auto remote = provider.get(id);
  if (remote) {
    if (last) keep_unreported_from_last(provider, *remote, *last);
    ctx_.cache->put(config, *remote);
    // A GET that shows it gone (Cadenya's archived) proves it is gone.
    out.confirmed_absent = remote->phase == providers::Phase::kGone;
    out.remote = std::move(*remote);
    return out;
  }
  if (remote.status().code() != Code::kNotFound) {  // unknown: change nothing
    out.why = remote.status().message();
    return out;
  }
  if (provider.capabilities().not_found_proves_absence) {
    out.confirmed_absent = true;
    return out;
  }
  // Paradigm: a 403/404 only hides it; the company list decides, but only
  // for a workspace the list covers. Otherwise nothing proves it gone, and
  // creating it again could make a second one.
  if (!last || !provider.list_proves_absence(*last)) {
    out.why = remote.status().message() +
              ", and no list this provider can read would show it: confirm it is gone, then "
              "`wsctl forget` the workspace and apply again";
    return out;
  }
  auto listed_from = ctx_.clock->now();
  auto listed = list_scope(provider, config);
  if (!listed) return out;
  for (const auto& ws : *listed) {
    if (ws.id == id) out.remote = ws;
  }
  ctx_.cache->put_list(config, std::move(*listed), listed_from);
  out.confirmed_absent = !out.remote;
  return out;
}

Outcome<plan::WorkspacePlan> WorkspaceReconciler::plan(const model::WorkspaceKey& key) {
  auto step = prepare(key, /*may_defer=*/false);
  if (!step) return step.status();
  if (!step->provider) return unusable_plan(*step);
  if (Status s = plan_existing(*step); !s.is_ok()) return s;
  return step->plan;
}

Outcome<Result> WorkspaceReconciler::reconcile_step(const model::WorkspaceKey& key,
                                                    bool& reported) {
  auto step = prepare(key, /*may_defer=*/true);
  if (!step) return step.status();
  step->reported = &reported;
  if (!step->desired && !step->record) return Result{};
  if (step->moved_from && step->plan.action != plan::Action::kSkip) return move(*step);
  if (Status s = record_paused(*step); !s.is_ok()) return s;
  // Not provisioning=true: the workspace is not waiting on the provider but
  // on our own list, and a run that does not follow provisioning (apply
  // without --wait) must still come back for it.
  if (step->poll_deferred) return Result{step->poll_deferred, /*provisioning=*/false};
  if (!step->provider && step->plan.action != plan::Action::kSkip &&
      step->plan.action != plan::Action::kOrphan) {
    return failed(*step, ctx_.providers->error_of(step->provider_config), "ProviderUnavailable");
  }
  return execute(*step);
}

Outcome<Result> WorkspaceReconciler::execute(Step& step) {
  switch (step.plan.action) {
    case plan::Action::kCreate: return create(step);
    case plan::Action::kAdopt: return adopt(step);
    case plan::Action::kResolvePending: return resolve_pending(step);
    case plan::Action::kUpdate: return update(step);
    case plan::Action::kReplace: return replace(step);
    case plan::Action::kDelete: return remove(step);
    case plan::Action::kOrphan: return forget(step);
    case plan::Action::kSkip: return Result{};
    case plan::Action::kNoop: break;
  }
  if (!step.observation.remote) {
    return failed(step, Status::error(Code::kTransient, step.plan.note), "ObserveFailed");
  }
  return settle(step, *step.observation.remote, /*changed=*/false);
}

// A paused workspace is skipped without writing anything else, so the pause
// is recorded here: once its manifest leaves the source, only the record can
// tell prune to leave it alone. Unpausing clears it the same way.
Status WorkspaceReconciler::record_paused(Step& step) {
  if (!step.desired || !step.record || step.record->paused == step.desired->paused()) {
    return Status::ok();
  }
  state::WorkspaceRecord record = *step.record;
  record.paused = step.desired->paused();
  if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  step.record = std::move(record);
  return Status::ok();
}

// The plan's note, else the fields the provider never receives, so that
// `wsctl get -o wide` says why changing them changes nothing remotely. A
// note that the manifest changed only there is no longer true once settle
// records the change, whatever the timing of the next reconcile.
std::string WorkspaceReconciler::synced_message(const Step& step) const {
  bool note_holds = !step.plan.note.empty() && !step.plan.local_only_change;
  if (note_holds || !step.desired || !step.provider) return step.plan.note;
  std::string fields =
      join(providers::local_only_fields(*step.desired, step.provider->capabilities()), ", ");
  if (fields.empty()) return {};
  return std::string("not sent to ") + model::to_string(step.provider->type()) + ": " + fields;
}

// Records what was observed and the conditions it implies; requeues while
// the workspace provisions.
state::WorkspaceRecord WorkspaceReconciler::settled_record(const Step& step,
                                                           state::WorkspaceRecord record,
                                                           const providers::RemoteWorkspace& remote,
                                                           bool changed, state::Time now) const {
  record.remote_id = remote.id;
  record.observed_json = to_json(remote).dump();
  if (step.desired) {
    record.external_id = step.desired->external_id;
    record.deletion_policy = step.desired->deletion_policy;
    record.management_policy = step.desired->management_policy;
    record.paused = step.desired->paused();
    const providers::Registry* registry = ctx_.options.plan.registry;
    std::string digest = !step.plan.desired_digest.empty() ? step.plan.desired_digest
                         : registry ? manifest::desired_digest(*step.desired, *registry)
                                    : manifest::desired_digest(*step.desired);
    if (record.applied_digest != digest) {
      record.applied_digest = digest;
      ++record.applied_generation;
    }
  }
  if (changed) record.last_applied_at = now;
  set_ready_from(record.conditions, remote, now);
  set_condition(record.conditions.synced, ConditionStatus::kTrue, "ReconcileSuccess",
                synced_message(step), now);
  return record;
}

Outcome<Result> WorkspaceReconciler::settle(Step& step, const providers::RemoteWorkspace& remote,
                                            bool changed, std::optional<state::Time> now) {
  state::WorkspaceRecord record =
      settled_record(step, step.record ? *step.record : new_record(step), remote, changed,
                     now.value_or(ctx_.clock->wall_now()));
  if (!step.record || !(record == *step.record)) {
    if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  }
  if (remote.phase == providers::Phase::kFailed) {
    emit(EventType::kProvisioningFailed, step, record.conditions.ready.message);
  }
  Result result;
  if (remote.phase == providers::Phase::kProvisioning) {
    result.requeue_after = next_poll(step);
    result.provisioning = true;
  }
  return result;
}

// Once the config has gone a second (provisioning_poll, unstretched) without
// a write, its creates are sent: the budget is spare, and the last
// workspaces are polled quicker. (Judged by the stretched period, a slow
// list would keep the last workspaces on the long interval for seconds
// after the last create.)
// Either interval stretches with the list's own length, so that polling
// takes at most a tenth of the time while creates run (a third after):
// Aether lists every workspace of the account in each poll, and at 10,000
// of them one list is a good part of a second of two busy cores.
std::chrono::milliseconds WorkspaceReconciler::provisioning_poll(const std::string& config) const {
  auto list = ctx_.cache->list_duration(config);
  auto period = std::max(ctx_.options.provisioning_poll, 10 * list);
  auto quiet = std::max(ctx_.options.provisioning_poll_quiet, 3 * list);
  if (quiet >= period) return period;
  auto last_write = ctx_.cache->last_write_at(config);
  bool writing = last_write != ObservedCache::TimePoint{} &&
                 ctx_.clock->now() - last_write < ctx_.options.provisioning_poll;
  return writing ? period : quiet;
}

// A provisioning workspace polled through the shared list is due when that
// list expires: the first one due lists, the others wait for it (single
// flight) and read it. Requeued a full period after its own reconcile, it
// would read a list up to a period old and see a finished provisioning up
// to two periods late.
std::chrono::milliseconds WorkspaceReconciler::next_poll(const Step& step) const {
  using namespace std::chrono;
  auto period = provisioning_poll(step.provider_config);
  if (!step.provider->capabilities().list_shows_all) return period;
  auto listed = ctx_.cache->listed_at(step.provider_config);
  if (listed == ObservedCache::TimePoint{}) return period;
  auto due = ceil<milliseconds>(listed + period - ctx_.clock->now());
  // Already expired: the list failed or was not needed; keep the period.
  if (due <= milliseconds(0)) return period;
  return due + milliseconds(1);  // just past expiry, so the next read lists
}

Outcome<Result> WorkspaceReconciler::update(Step& step) {
  auto updated = step.provider->update(*step.observation.remote, *step.desired, step.plan.changes);
  if (!updated) return failed(step, updated.status(), "UpdateFailed");
  ctx_.cache->put(step.provider_config, *updated);
  ctx_.cache->note_write(step.provider_config);
  bool drift = step.record && step.record->applied_digest == step.plan.desired_digest;
  std::string fields;
  for (const auto& c : step.plan.changes) fields += (fields.empty() ? "" : ", ") + c.path;
  emit(drift ? EventType::kDriftCorrected : EventType::kUpdated, step, fields);
  return settle(step, *updated, /*changed=*/true);
}

Outcome<Result> WorkspaceReconciler::remove(Step& step) {
  const std::string& id = *step.record->remote_id;
  if (Status s = step.provider->remove(id); !s.is_ok()) return failed(step, s, "DeleteFailed");
  ctx_.cache->erase(step.provider_config, id);
  ctx_.cache->note_write(step.provider_config);
  if (Status s = ctx_.store->remove(step.key); !s.is_ok() && s.code() != Code::kNotFound) return s;
  emit(EventType::kDeleted, step, "remote workspace " + id + " deleted");
  return Result{};
}

Outcome<Result> WorkspaceReconciler::forget(Step& step) {
  if (Status s = ctx_.store->remove(step.key); !s.is_ok() && s.code() != Code::kNotFound) return s;
  emit(EventType::kForgotten, step, step.plan.note);
  return Result{};
}

// A state the operator will not leave by itself: record it, do not retry.
Outcome<Result> WorkspaceReconciler::blocked(Step& step, const std::string& reason,
                                             EventType type) {
  if (step.reported) *step.reported = true;
  auto now = ctx_.clock->wall_now();
  state::WorkspaceRecord record = step.record ? *step.record : new_record(step);
  set_condition(record.conditions.synced, ConditionStatus::kFalse, reason, step.plan.note, now);
  if (step.observation.remote) {
    record.observed_json = to_json(*step.observation.remote).dump();
    set_ready_from(record.conditions, *step.observation.remote, now);
  }
  if (!step.record || !(record == *step.record)) {
    if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  }
  emit(type, step, step.plan.note);
  return Result{};
}

// A failure worth retrying: Synced=False with the reason, and the error
// goes back to the queue for backoff.
Outcome<Result> WorkspaceReconciler::failed(Step& step, const Status& status,
                                            const std::string& reason) {
  if (step.reported) *step.reported = true;
  std::string unstored;
  if (step.record) {
    auto now = ctx_.clock->wall_now();
    state::WorkspaceRecord record = *step.record;
    set_condition(record.conditions.synced, ConditionStatus::kFalse, reason, status.message(), now);
    if (!(record == *step.record)) unstored = store_failure_condition(step.key, record.conditions);
  }
  emit(EventType::kFailed, step, reason + ": " + status.message() + unstored);
  return status;
}

void WorkspaceReconciler::emit(EventType type, const Step& step, const std::string& message) {
  if (ctx_.events) ctx_.events->on_event({type, step.key, step.provider_config, message});
}

state::WorkspaceRecord WorkspaceReconciler::new_record(const Step& step) const {
  state::WorkspaceRecord record;
  record.key = step.key;
  record.provider_config = step.provider_config;
  record.provider_type = step.provider ? step.provider->type() : model::ProviderType();
  record.owner_instance_id = ctx_.options.plan.instance_id;
  if (step.desired) {
    record.external_id = step.desired->external_id;
    record.deletion_policy = step.desired->deletion_policy;
    record.management_policy = step.desired->management_policy;
    record.paused = step.desired->paused();
  }
  return record;
}

}  // namespace wsop::reconcile
