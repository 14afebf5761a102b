// Desired x state x observed -> what to do with one workspace
// (ARCHITECTURE.md sections 2 and 5). plan_workspace is a pure function:
// `wsctl diff` calls it for every workspace and prints the result, and the
// reconciler calls it for one workspace and carries it out, so what diff
// shows is what apply does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/v1alpha1/types.h"
#include "controller/state/state_store.h"
#include "providers/provider.h"
#include "providers/registry.h"

namespace wsop::plan {

enum class Action {
  kNoop,            // nothing to change
  kCreate,          // no remote workspace yet (or it disappeared)
  kAdopt,           // take over an existing remote (external-name annotation)
  kUpdate,          // change mutable fields in place
  kReplace,         // an immutable field changed: delete and create (only with --allow-replace)
  kResolvePending,  // a create's outcome is unknown: look for it first (section 4)
  kDelete,          // the manifest is gone, pruning is on, deletionPolicy Delete
  kOrphan,          // the manifest is gone, pruning is on, deletionPolicy Orphan: forget it
  kSkip,            // paused, or not ours: leave alone
};
const char* to_string(Action action);

// Whether carrying out the action writes to the provider.
bool writes_remote(Action action);

// One field a create sends, rendered for people ("\"x\"", "2", "true"),
// as `terraform plan` lists a new resource's attributes.
struct Attribute {
  std::string path;  // manifest path: "spec.displayName", "metadata.labels.team"
  std::string value;
};

struct WorkspacePlan {
  model::WorkspaceKey key;
  std::string provider_config;
  Action action = Action::kNoop;
  std::vector<providers::FieldChange> changes;  // kUpdate / kReplace / drift shown for noop
  // kCreate: the fields the provider would receive. Shown in plans only;
  // the reconciler builds its request from the manifest, not from these.
  std::vector<Attribute> attributes;
  std::string note;      // why, for people ("CreateOnly: 2 differences left alone")
  bool blocked = false;  // a needed action the options forbid (replace without --allow-replace)
  // The known remote could not be observed (provider unreachable): the plan
  // is noop only for want of knowing, which diff reports as an error.
  // Renderers show it as "unknown", never as unchanged or as a create.
  bool unobserved = false;
  // kSkip because of workspace-operator.io/paused (on the manifest, or on
  // the record when the manifest left): shown and counted as "paused".
  bool paused = false;
  // The digest of the manifest planned for, when the plan needed it (a
  // known remote): the reconciler reuses it instead of hashing again.
  std::string desired_digest;
  // The note says only that the manifest changed where the provider
  // receives nothing: true until the change is recorded, so the record
  // must not keep it as its message.
  bool local_only_change = false;
  // A rename, as Terraform's `moved`: this manifest's external-name names
  // the remote workspace of a record whose manifest left the source. The
  // record moves to this key (nothing is sent for it), then the action
  // applies; the old key is never deleted. Shown as "move" when nothing
  // else changes.
  std::optional<model::WorkspaceKey> moved_from;
};

struct PlanOptions {
  bool prune = false;
  bool allow_replace = false;
  std::string instance_id;
  // Whose descriptors render the spec.<type> blocks into the desired
  // digest and the create attributes; null: Registry::builtin(). The
  // composition root sets its own (controller/runtime/composition.h).
  const providers::Registry* registry = nullptr;
};

// What is known about the remote side of one workspace.
struct Observation {
  std::optional<providers::RemoteWorkspace> remote;  // set when it was seen
  bool confirmed_absent = false;  // looked for it and it is not there (or archived)
  std::string why;                // when neither: why it could not be observed, for people
};

// desired: the manifest (null when it left the source). record: the state
// store's entry (null when none). provider: for the field diff (may be null
// when the ProviderConfig is gone; then no diff is made).
WorkspacePlan plan_workspace(const model::Workspace* desired, const state::WorkspaceRecord* record,
                             const Observation& observation, const providers::Provider* provider,
                             const PlanOptions& options);

struct Plan {
  std::vector<WorkspacePlan> items;

  size_t count(Action action) const;
  bool has_changes() const;  // anything but noop and skip (a move is a change)
};

}  // namespace wsop::plan
