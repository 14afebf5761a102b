// Internal to the reconciler: what one reconcile knows while it runs, and
// the helpers its steps share. Not part of the reconciler's interface.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "controller/reconcile/reconciler.h"

namespace wsop::reconcile {

struct WorkspaceReconciler::Step {
  model::WorkspaceKey key;
  std::shared_ptr<const DesiredState> snapshot;  // keeps desired alive
  const model::Workspace* desired = nullptr;
  std::optional<state::WorkspaceRecord> record;
  std::shared_ptr<providers::Provider> provider;
  std::string provider_config;
  plan::Observation observation;
  plan::WorkspacePlan plan;
  // A rename (move.cpp). moved_from: this manifest takes over the record of
  // that key, whose manifest left the source; `record` is then that record
  // under this key, not yet stored. moving_to: this record's manifest left
  // and that manifest names its remote id; it is never deleted.
  std::optional<model::WorkspaceKey> moved_from;
  std::optional<model::WorkspaceKey> moving_to;
  // Set instead of observation and plan when the shared provisioning list
  // is under way: come back when it should have landed.
  std::optional<std::chrono::milliseconds> poll_deferred;
  // Where failed() and blocked() note that the outcome is recorded and told
  // (WorkspaceReconciler::reconcile_step); null outside a reconcile.
  bool* reported = nullptr;
};

// Sets a condition, keeping its transition time unless the status changes.
void set_condition(model::Condition& condition, model::ConditionStatus status,
                   const std::string& reason, const std::string& message, state::Time now);

// The record of a remote workspace this instance takes over (the
// external-name annotation, an unowned workspace carrying the manifest's
// identity, `wsctl import`): `base` (the key's record, or a new one) with
// that remote as observed, no create under way, and `origin`.
state::WorkspaceRecord adopted_record(state::WorkspaceRecord base, const std::string& remote_id,
                                      const providers::RemoteWorkspace& remote,
                                      state::Origin origin);

// Ready as the remote's phase says (section 5).
void set_ready_from(model::Conditions& conditions, const providers::RemoteWorkspace& remote,
                    state::Time now);

}  // namespace wsop::reconcile
