// The create journal of ARCHITECTURE.md section 4:
//   1. commit a pending record before the create is sent;
//   2. send the create once; never repeat it on an ambiguous failure;
//   3. on success record the remote id and clear pending in one transaction;
//   4. on finding a pending record, look for the workspace first: one
//      unowned candidate is adopted, none (with proof) means create again,
//      several or no way to tell means CreatePendingUnresolved.
// A server may commit a create after our client stopped waiting, so "none"
// is proof only once the attempt's window (CreateAttempt) has passed; until
// then the record stays pending and nothing is created.
#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "controller/reconcile/observed_json.h"
#include "controller/reconcile/reconciler.h"
#include "controller/reconcile/step.h"

namespace wsop::reconcile {
namespace {

using std::chrono::milliseconds;

// A server's Retry-After bounds the requeue only within reason, as the HTTP
// client bounds the bucket's pause: a hostile value must not park a
// workspace for days.
constexpr milliseconds kMaxRetryAfter{std::chrono::minutes(1)};

std::string resolve_hint(const model::WorkspaceKey& key, bool kubectl) {
  if (kubectl) {
    return "run `kubectl annotate workspace/" + key.name + " -n " + key.ns + " " +
           model::kAnnotationExternalName +
           "=REMOTE_ID --overwrite` to adopt the right one (REMOTE_ID: its id at the provider)";
  }
  return "run `wsctl import " + key.name + " -n " + key.ns +
         " --id REMOTE_ID` to adopt the right one, or `wsctl forget " + key.name + " -n " + key.ns +
         "` and apply again to create a new one";
}

// A create whose answer was lost: the server may have made the workspace,
// so it is never re-sent blindly; the lookup decides.
bool undecided(const Status& status) {
  return status.code() == Code::kAmbiguous;
}

// The condition note for a lost create.
std::string undecided_note(const Status& status) {
  return "the create's answer was lost (" + status.message() +
         "); the next reconcile looks for the workspace before creating again";
}

// Creates answered 429 that are sent again before the create counts as
// failed. Each waits out Retry-After in the ProviderConfig's bucket
// (providers/http/rate_limiter.h), so five cover a minute of throttling.
constexpr int kMaxThrottledCreates = 5;

milliseconds requeue_after_undecided(const Status& status, milliseconds resolve_delay) {
  return std::max(resolve_delay,
                  std::min(status.retry_after().value_or(resolve_delay), kMaxRetryAfter));
}

// The attempt a pending record describes, with the deadlines its client had:
// the create may still commit until the window of that attempt ends.
providers::CreateAttempt attempt_of(const state::WorkspaceRecord& record,
                                    const model::ProviderConfig* config, state::Time now) {
  providers::CreateAttempt attempt;
  attempt.requested_at = record.create.requested_at.value_or(now);
  model::Timeouts timeouts = config ? config->timeouts : model::Timeouts{};
  attempt.request_timeout = timeouts.connect + timeouts.request;
  return attempt;
}

// While the create may still commit, look again soon, and right after the
// window ends (when an empty lookup becomes proof).
milliseconds requeue_while_pending(const providers::CreateAttempt& attempt,
                                   milliseconds resolve_delay, state::Time now) {
  auto until_end = std::chrono::ceil<milliseconds>(attempt.window_end() - now) + milliseconds(1);
  return std::min(resolve_delay * 5, std::max(resolve_delay, until_end));
}

// Why the lookup cannot settle a create whose window has passed.
std::string unresolved_note(const providers::LostCreateLookup& lookup, size_t unowned,
                            const std::vector<std::string>& ids, const std::string& owners) {
  std::string joined;
  for (const auto& id : ids) joined += (joined.empty() ? "" : ", ") + id;
  if (unowned > 1) {
    return std::to_string(unowned) + " unowned workspaces match " + lookup.method + " (" + joined +
           ")";
  }
  if (!ids.empty()) {
    return "the create's outcome is unknown and the only workspaces matching " + lookup.method +
           " (" + joined + ") are managed by " + owners;
  }
  return "the create's outcome is unknown and the provider cannot tell whether it made a "
         "workspace (none matches " +
         lookup.method + ")";
}

}  // namespace

Outcome<Result> WorkspaceReconciler::create(Step& step) {
  // A record already pending is a lost create its lookup has settled: the
  // lookup looked for the workspace, and the record holds the request.
  bool first = !step.record || step.record->create.state != state::CreateState::kPending;
  if (first) {
    auto existing = check_existing(step);
    if (!existing) return existing.status();
    if (*existing) return **existing;
  }
  std::string digest = step.provider->create_digest(*step.desired);
  CreateGate::Turn turn;
  if (gate_) {
    auto acquired = gate_->acquire(step.provider_config, digest, step.key);
    if (!acquired) return acquired.status();
    if (acquired->waiting_for()) return wait_for_turn(step, *acquired->waiting_for());
    turn = std::move(*acquired);
  }
  auto now = ctx_.clock->wall_now();
  state::WorkspaceRecord record = step.record ? *step.record : new_record(step);
  // Re-creating a workspace confirmed gone corrects drift; a replacement
  // (which deleted it on purpose) does not.
  std::optional<std::string> gone_id;
  if (record.remote_id && step.observation.confirmed_absent) gone_id = record.remote_id;
  if (record.remote_id) {
    // The remote it pointed at is gone: forget that id before creating anew.
    record.remote_id.reset();
    record.observed_json.clear();
    if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  }
  record.create.request_digest = digest;
  auto pending = ctx_.store->begin_create(record, now);  // durable before the POST
  if (!pending) return pending.status();
  turn.began();
  step.record = *pending;

  auto created = send_create(step);
  if (!created && undecided(created.status())) {
    step.plan.note = undecided_note(created.status());
    auto result = blocked(step, "CreateAmbiguous", EventType::kCreateAmbiguous);
    if (!result) return result;
    return Result{requeue_after_undecided(created.status(), ctx_.options.resolve_delay)};
  }
  if (!created) {
    // The server refused it or it never left: nothing was created.
    state::WorkspaceRecord cleared = *step.record;
    cleared.create = {};
    if (Status s = ctx_.store->put(cleared); !s.is_ok()) return s;
    turn.settled();
    step.record = cleared;
    if (created.status().code() == Code::kForbidden) {
      // The token lacks the right: no retry helps until someone grants it.
      step.plan.note = created.status().message();
      return blocked(step, "Forbidden", EventType::kFailed);
    }
    bool throttled = created.status().code() == Code::kRateLimited;
    return failed(step, created.status(), throttled ? "CreateRateLimited" : "CreateFailed");
  }
  // The create's outcome settles in the journal's own write (settle()
  // below then finds nothing left to write).
  const state::Time settled_at = ctx_.clock->wall_now();
  auto settle_in_place = [&](state::WorkspaceRecord& record) {
    record = settled_record(step, std::move(record), *created, /*changed=*/true, settled_at);
  };
  if (Status s = ctx_.store->complete_create(step.key, created->id, to_json(*created).dump(),
                                             settle_in_place);
      !s.is_ok()) {
    return s;
  }
  turn.settled();
  ctx_.cache->put(step.provider_config, *created);
  ctx_.cache->note_write(step.provider_config);
  if (gone_id) {
    emit(EventType::kDriftCorrected, step,
         "remote workspace " + *gone_id + " was gone: created " + created->id);
  } else {
    emit(EventType::kCreated, step, "remote workspace " + created->id);
  }
  auto stored = ctx_.store->get(step.key);
  if (!stored) return stored.status();
  step.record = std::move(*stored);
  return settle(step, *created, /*changed=*/true, settled_at);
}

// A 429 is the server refusing a request before it processes it (RFC 6585;
// provider-sim refuses before serving, sim/core/service.cpp): nothing
// was created, so the create is sent again, as Stripe's, AWS's and
// client-go's clients do, once the bucket has waited out Retry-After. The
// record stays pending throughout; each send renews requested_at, since
// only the last send can still commit after an answer is lost.
Outcome<providers::RemoteWorkspace> WorkspaceReconciler::send_create(Step& step) {
  auto created = step.provider->create(*step.desired);
  for (int sent = 1;
       sent < kMaxThrottledCreates && !created && created.status().code() == Code::kRateLimited;
       ++sent) {
    auto renewed = ctx_.store->begin_create(*step.record, ctx_.clock->wall_now());
    if (!renewed) return renewed.status();
    step.record = *renewed;
    created = step.provider->create(*step.desired);
  }
  return created;
}

Outcome<Result> WorkspaceReconciler::adopt(Step& step) {
  std::string id = *step.desired->external_name();
  auto remote = step.provider->get_to_adopt(id, *step.desired);
  if (!remote) {
    step.plan.note = "external-name " + id + ": " + remote.status().message();
    if (remote.status().code() == Code::kNotFound) {
      return blocked(step, "ExternalNameNotFound", EventType::kFailed);
    }
    if (remote.status().code() == Code::kConflict) {
      return blocked(step, "ExternalNameConflict", EventType::kFailed);
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
  state::WorkspaceRecord record = adopted_record(step.record ? *step.record : new_record(step), id,
                                                 *remote, state::Origin::kAdopted);
  if (Status s = ctx_.store->put(record); !s.is_ok()) return s;
  ctx_.cache->put(step.provider_config, *remote);
  emit(EventType::kAdopted, step, "remote workspace " + id + " (external-name annotation)");
  // Continue at once with the adopted workspace: diff and update.
  return reconcile_step(step.key, *step.reported);
}

Outcome<Result> WorkspaceReconciler::resolve_pending(Step& step) {
  const model::ProviderConfig* config =
      step.snapshot ? step.snapshot->set().find_provider_config(step.provider_config) : nullptr;
  providers::CreateAttempt attempt = attempt_of(*step.record, config, ctx_.clock->wall_now());
  auto lookup = step.provider->find_lost_create(*step.desired, attempt);
  if (!lookup) return failed(step, lookup.status(), "ResolvePendingFailed");
  // The manifest changed since the lost create was sent: the lookup matched
  // today's request, not the one that may have landed, so finding nothing
  // proves nothing.
  if (!step.record->create.request_digest.empty() &&
      step.record->create.request_digest != step.provider->create_digest(*step.desired)) {
    lookup->conclusive = false;
    lookup->method += " (the manifest changed since the lost create was sent)";
  }
  std::vector<providers::RemoteWorkspace> unowned;
  std::vector<std::string> owned_ids;
  std::string owners;
  // Whether every owned match belongs to a workspace that sent this same
  // request: those went one at a time (create_gate.h), each settled while
  // it was the only one unresolved, so none of them holds ours.
  bool owned_by_same_request = true;
  const std::string& digest = step.record->create.request_digest;
  for (auto& candidate : lookup->candidates) {
    auto owner = ctx_.store->find_by_remote_id(step.provider_config, candidate.id);
    if (!owner) return owner.status();
    if (!*owner) {
      unowned.push_back(std::move(candidate));
    } else {
      owned_ids.push_back(candidate.id);
      owners += (owners.empty() ? "" : ", ") + (*owner)->key.to_string();
      owned_by_same_request =
          owned_by_same_request && !digest.empty() && (*owner)->create.request_digest == digest;
    }
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
      applied.last_applied_at = ctx_.clock->wall_now();
      if (Status s = ctx_.store->put(applied); !s.is_ok()) return s;
    }
    ctx_.cache->put(step.provider_config, found);
    emit(EventType::kAdopted, step,
         "lost create resolved: remote workspace " + found.id + " matched by " + lookup->method);
    return reconcile_step(step.key, *step.reported);
  }
  // Past the window, finding none, or only workspaces of the same request
  // that others settled, proves this create made nothing: create again.
  if (unowned.empty() && lookup->conclusive && owned_by_same_request) return create(step);
  if (unowned.empty() && attempt.may_still_commit(ctx_.clock->wall_now())) {
    // The server may yet commit it (after our deadline): wait, create nothing.
    step.plan.note = "the create's answer was lost and no unowned workspace matches " +
                     lookup->method + " yet; waiting until the request can no longer commit";
    auto result = blocked(step, "CreatePending", EventType::kCreateAmbiguous);
    if (!result) return result;
    return Result{
        requeue_while_pending(attempt, ctx_.options.resolve_delay, ctx_.clock->wall_now())};
  }
  std::vector<std::string> ids;
  for (const auto& c : unowned) ids.push_back(c.id);
  if (unowned.empty()) ids = owned_ids;
  step.plan.note = unresolved_note(*lookup, unowned.size(), ids, owners) + ": " +
                   resolve_hint(step.key, ctx_.options.kubectl_hints);
  return blocked(step, "CreatePendingUnresolved", EventType::kCreatePendingUnresolved);
}

Outcome<Result> WorkspaceReconciler::replace(Step& step) {
  if (step.plan.blocked) return blocked(step, "ReplaceRequired", EventType::kReplaceRequired);
  const std::string id = *step.record->remote_id;
  if (Status s = step.provider->remove(id); !s.is_ok()) return failed(step, s, "DeleteFailed");
  ctx_.cache->erase(step.provider_config, id);
  ctx_.cache->note_write(step.provider_config);
  emit(EventType::kReplaced, step, "remote workspace " + id + " deleted for replacement");
  return create(step);
}

}  // namespace wsop::reconcile
