// The create journal of ARCHITECTURE.md section 4:
//   1. commit a pending record before the create is sent;
//   2. send the create once; never repeat it on an ambiguous failure;
//   3. on success record the remote id and clear pending in one transaction;
//   4. on finding a pending record, look for the workspace first: one
//      unowned candidate is adopted, none (with proof) means create again,
//      several or no way to tell means CreatePendingUnresolved.
#include <chrono>

#include "controller/reconcile/observed_json.h"
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {
namespace {

std::string resolve_hint(const model::WorkspaceKey& key) {
  return "run `wsctl import " + key.name + " -n " + key.ns +
         " --id REMOTE_ID` to adopt the right one, or `wsctl forget " + key.name + " -n " + key.ns +
         "` and apply again to create a new one";
}

}  // namespace

Outcome<Result> WorkspaceReconciler::create(Step& step) {
  auto now = std::chrono::system_clock::now();
  state::WorkspaceRecord record = step.record ? *step.record : new_record(step);
  if (record.remote_id) {
    // The remote it pointed at is gone: forget that id before creating anew.
    record.remote_id.reset();
    record.observed_json.clear();
    if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  }
  record.create.request_digest = step.provider->create_digest(*step.desired);
  auto pending = ctx_.store->begin_create(record, now);  // durable before the POST
  if (!pending) return pending.status();
  step.record = *pending;

  auto created = step.provider->create(*step.desired);
  if (!created && created.status().code() == Code::kAmbiguous) {
    step.plan.note = "the create's answer was lost (" + created.status().message() +
                     "); the next reconcile looks for the workspace before creating again";
    auto result = blocked(step, "CreateAmbiguous", EventType::kCreateAmbiguous);
    if (!result) return result;
    return Result{ctx_.options.resolve_delay};
  }
  if (!created) {
    // The server refused it or it never left: nothing was created.
    state::WorkspaceRecord cleared = *step.record;
    cleared.create = {};
    if (Status s = ctx_.store->put(cleared); !s.is_ok()) return s;
    step.record = cleared;
    return failed(step, created.status(), "CreateFailed");
  }
  if (Status s = ctx_.store->complete_create(step.key, created->id, to_json(*created).dump());
      !s.is_ok()) {
    return s;
  }
  ctx_.cache->put(step.provider_config, *created);
  emit(EventType::kCreated, step, "remote workspace " + created->id);
  auto stored = ctx_.store->get(step.key);
  if (!stored) return stored.status();
  step.record = std::move(*stored);
  return settle(step, *created, /*changed=*/true);
}

Outcome<Result> WorkspaceReconciler::adopt(Step& step) {
  std::string id = *step.desired->external_name();
  auto remote = step.provider->get(id);
  if (!remote) {
    step.plan.note = "external-name " + id + ": " + remote.status().message();
    if (remote.status().code() == Code::kNotFound) {
      return blocked(step, "ExternalNameNotFound", EventType::kFailed);
    }
    return failed(step, remote.status(), "AdoptFailed");
  }
  auto owner = ctx_.store->find_by_remote_id(step.provider_config, id);
  if (!owner) return owner.status();
  if (*owner && (*owner)->key != step.key) {
    step.plan.note =
        "remote workspace " + id + " is already managed by " + (*owner)->key.to_string();
    return blocked(step, "ExternalNameConflict", EventType::kFailed);
  }
  state::WorkspaceRecord record = step.record ? *step.record : new_record(step);
  record.remote_id = id;
  record.origin = state::Origin::kAdopted;
  record.create = {};
  record.observed_json = to_json(*remote).dump();
  if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  ctx_.cache->put(step.provider_config, *remote);
  emit(EventType::kAdopted, step, "remote workspace " + id + " (external-name annotation)");
  // Continue at once with the adopted workspace: diff and update.
  return reconcile(step.key);
}

Outcome<Result> WorkspaceReconciler::resolve_pending(Step& step) {
  const state::WorkspaceRecord& record = *step.record;
  providers::CreateAttempt attempt;
  attempt.requested_at = record.create.requested_at.value_or(std::chrono::system_clock::now());
  auto lookup = step.provider->find_lost_create(*step.desired, attempt);
  if (!lookup) return failed(step, lookup.status(), "ResolvePendingFailed");
  std::vector<providers::RemoteWorkspace> unowned;
  for (auto& candidate : lookup->candidates) {
    auto owner = ctx_.store->find_by_remote_id(step.provider_config, candidate.id);
    if (!owner) return owner.status();
    if (!*owner) unowned.push_back(std::move(candidate));
  }
  if (unowned.size() == 1) {
    const auto& found = unowned.front();
    if (Status s = ctx_.store->complete_create(step.key, found.id, to_json(found).dump());
        !s.is_ok()) {
      return s;
    }
    // This run's create made it: it counts as applied now (wsctl get APPLIED).
    if (auto stored = ctx_.store->get(step.key); stored && *stored) {
      state::WorkspaceRecord applied = **stored;
      applied.last_applied_at = std::chrono::system_clock::now();
      if (Status s = ctx_.store->put(applied); !s.is_ok()) return s;
    }
    ctx_.cache->put(step.provider_config, found);
    emit(EventType::kAdopted, step,
         "lost create resolved: remote workspace " + found.id + " matched by " + lookup->method);
    return reconcile(step.key);
  }
  if (unowned.empty() && lookup->conclusive) return create(step);
  if (unowned.empty()) {
    step.plan.note = "the create's answer was lost and no workspace matches " + lookup->method +
                     " yet; waiting until the request can no longer be in flight";
    auto result = blocked(step, "CreatePending", EventType::kCreateAmbiguous);
    if (!result) return result;
    return Result{ctx_.options.resolve_delay * 5};
  }
  std::string ids;
  for (const auto& c : unowned) ids += (ids.empty() ? "" : ", ") + c.id;
  step.plan.note = std::to_string(unowned.size()) + " unowned workspaces match " + lookup->method +
                   " (" + ids + "): " + resolve_hint(step.key);
  return blocked(step, "CreatePendingUnresolved", EventType::kCreatePendingUnresolved);
}

Outcome<Result> WorkspaceReconciler::replace(Step& step) {
  if (step.plan.blocked) return blocked(step, "ReplaceRequired", EventType::kReplaceRequired);
  const std::string id = *step.record->remote_id;
  if (Status s = step.provider->remove(id); !s.is_ok()) return failed(step, s, "DeleteFailed");
  ctx_.cache->erase(step.provider_config, id);
  emit(EventType::kReplaced, step, "remote workspace " + id + " deleted for replacement");
  return create(step);
}

}  // namespace wsop::reconcile
