#include "controller/plan/request.h"

namespace wsop::plan {
namespace {

// The owner check: a workspace another operator instance created or
// adopted is its business (plan_workspace skips it when pruning).
Status owned_elsewhere(const model::WorkspaceKey& key, const state::WorkspaceRecord& record,
                       const PlanOptions& options, const std::string& what) {
  if (record.owner_instance_id == options.instance_id) return Status::ok();
  return Status::error(Code::kConflict, key.to_string() + " is owned by operator instance \"" +
                                            record.owner_instance_id + "\", not \"" +
                                            options.instance_id + "\": not " + what);
}

// Credentials live in ProviderConfig manifests, never in the state store: a
// remote delete needs the source that defines the record's ProviderConfig.
Status provider_config_needed(const model::WorkspaceKey& key, const state::WorkspaceRecord& r) {
  return Status::error(
      Code::kInvalid, key.to_string() + " has deletionPolicy Delete: deleting remote workspace " +
                          *r.remote_id + " needs ProviderConfig \"" + r.provider_config +
                          "\"; pass the manifest that defines it: wsctl delete " + key.to_string() +
                          " -f PATH (or `wsctl forget` to keep the remote)");
}

WorkspacePlan base_of(const model::WorkspaceKey& key, const std::string& provider_config,
                      Action action, std::string note) {
  WorkspacePlan out;
  out.key = key;
  out.provider_config = provider_config;
  out.action = action;
  out.note = std::move(note);
  return out;
}

// The manifest's policies when the source has it (they may have changed
// since the record was written), else the record's.
Outcome<WorkspacePlan> plan_delete(const model::WorkspaceKey& key, const model::Workspace* desired,
                                   const state::WorkspaceRecord* record, const RequestFacts& facts,
                                   const PlanOptions& options) {
  if (!record) return Status::error(Code::kNotFound, key.to_string() + " is not managed");
  if (Status s = owned_elsewhere(key, *record, options, "deleted"); !s.is_ok()) return s;
  if (record->create.state == state::CreateState::kPending) {
    return Status::error(Code::kConflict, key.to_string() +
                                              ": a create's outcome is unknown; apply first to "
                                              "resolve it, or `wsctl forget` it");
  }
  if (desired ? desired->paused() : record->paused) {
    // Paused means hands off, deletes included, as for prune.
    return Status::error(Code::kConflict,
                         key.to_string() +
                             " is paused (workspace-operator.io/paused): not deleted; remove the "
                             "annotation and apply first, or `wsctl forget` it");
  }
  auto policy = desired ? desired->deletion_policy : record->deletion_policy;
  auto management = desired ? desired->management_policy : record->management_policy;
  const std::string& config = record->provider_config;
  if (!record->remote_id) {
    return base_of(key, config, Action::kOrphan, "never created: record dropped");
  }
  if (policy == model::DeletionPolicy::kOrphan) {
    return base_of(key, config, Action::kOrphan, "deletionPolicy Orphan: forgotten, remote kept");
  }
  if (management == model::ManagementPolicy::kObserveOnly) {
    return base_of(key, config, Action::kOrphan, "ObserveOnly: forgotten, remote kept");
  }
  if (!facts.provider_config_defined) return provider_config_needed(key, *record);
  return base_of(key, config, Action::kDelete, "deleted at request; deletionPolicy Delete");
}

Outcome<WorkspacePlan> plan_forget(const model::WorkspaceKey& key,
                                   const state::WorkspaceRecord* record) {
  if (!record) {
    return Status::error(Code::kNotFound, "no state record for workspace " + key.to_string());
  }
  std::string note = record->remote_id
                         ? "forgotten at request: remote workspace " + *record->remote_id + " kept"
                         : "forgotten at request";
  return base_of(key, record->provider_config, Action::kOrphan, std::move(note));
}

Outcome<WorkspacePlan> plan_import(const Request& request, const model::WorkspaceKey& key,
                                   const model::Workspace* desired,
                                   const state::WorkspaceRecord* record, const RequestFacts& facts,
                                   const PlanOptions& options) {
  if (!desired) {
    return Status::error(Code::kInvalid, "no manifest for " + key.to_string() + " in the source");
  }
  if (record) {
    if (Status s = owned_elsewhere(key, *record, options, "imported over"); !s.is_ok()) return s;
  }
  const std::string& id = request.import_id;
  WorkspacePlan out = base_of(key, desired->provider_config, Action::kAdopt,
                              "import remote workspace " + id + " at request");
  if (const state::WorkspaceRecord* holder = facts.import_holder) {
    // A rename: the record of a manifest that left the source moves here,
    // in one transaction; one whose manifest is still there keeps it.
    if (facts.holder_in_source) {
      return Status::error(Code::kConflict, "remote workspace " + id + " is already managed by " +
                                                holder->key.to_string() +
                                                ", whose manifest is in the source");
    }
    if (Status s = owned_elsewhere(holder->key, *holder, options, "moved"); !s.is_ok()) return s;
    out.moved_from = holder->key;
    out.note += "; moved from " + holder->key.to_string();
  }
  return out;
}

}  // namespace

Outcome<WorkspacePlan> plan_request(const Request& request, const model::WorkspaceKey& key,
                                    const model::Workspace* desired,
                                    const state::WorkspaceRecord* record, const RequestFacts& facts,
                                    const PlanOptions& options) {
  switch (request.kind) {
    case RequestKind::kDelete: return plan_delete(key, desired, record, facts, options);
    case RequestKind::kForget: return plan_forget(key, record);
    case RequestKind::kImport: return plan_import(request, key, desired, record, facts, options);
  }
  return Status::error(Code::kInvalid, "unknown request");
}

}  // namespace wsop::plan
