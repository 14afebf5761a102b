#include "controller/plan/plan.h"

#include "common/text.h"
#include "controller/manifest/render.h"
#include "providers/descriptor.h"

namespace wsop::plan {
namespace {

const providers::Registry& plan_registry(const PlanOptions& options) {
  return options.registry ? *options.registry : providers::Registry::builtin();
}

WorkspacePlan base(const model::Workspace* desired, const state::WorkspaceRecord* record) {
  WorkspacePlan out;
  out.key = desired ? desired->key() : record->key;
  out.provider_config = desired ? desired->provider_config : record->provider_config;
  return out;
}

// The manifest left the source (section 5: deletionPolicy and prune guards;
// section 4: only what this instance created or adopted is pruned).
WorkspacePlan plan_removed(const state::WorkspaceRecord& record, const PlanOptions& options) {
  WorkspacePlan out = base(nullptr, &record);
  if (!options.prune) {
    out.action = Action::kSkip;
    out.note = "not in the source; pruning is off";
  } else if (record.paused) {
    // Paused means hands off, deletes included (Crossplane's pause, Flux's
    // suspend); the record remembers it because the manifest is gone.
    out.action = Action::kSkip;
    out.paused = true;
    out.note =
        "paused (workspace-operator.io/paused when last applied): not pruned; "
        "unpause it and apply, or `wsctl forget` it";
  } else if (record.create.state == state::CreateState::kPending) {
    // A create whose outcome is unknown may have made a workspace: dropping
    // the record would leak it, and without the manifest it cannot be found.
    out.action = Action::kSkip;
    out.note = "a create's outcome is unknown: `wsctl import` or `wsctl forget` it";
  } else if (record.owner_instance_id != options.instance_id) {
    out.action = Action::kSkip;
    out.note = "owned by operator instance \"" + record.owner_instance_id + "\"";
  } else if (record.deletion_policy == model::DeletionPolicy::kOrphan || !record.remote_id) {
    out.action = Action::kOrphan;
    out.note = record.remote_id ? "deletionPolicy Orphan: forgotten, remote kept"
                                : "never created: record dropped";
  } else if (record.management_policy == model::ManagementPolicy::kObserveOnly) {
    out.action = Action::kOrphan;
    out.note = "ObserveOnly: forgotten, remote kept";
  } else if (record.management_policy == model::ManagementPolicy::kCreateOnly) {
    // "CreateOnly: create, never update or delete" (manifests/schema, the CRD).
    out.action = Action::kOrphan;
    out.note = "CreateOnly: forgotten, remote kept";
  } else {
    out.action = Action::kDelete;
    out.note = "not in the source; deletionPolicy Delete";
  }
  return out;
}

bool is_sent(const std::string& path, const providers::Provider* provider,
             const std::vector<std::string>& local_only) {
  for (const auto& field : local_only) {
    if (path == field || path.rfind(field + ".", 0) == 0) return false;
  }
  if (!provider) return true;
  const auto& can = provider->capabilities();
  if (path.rfind("metadata.labels.", 0) == 0) return can.labels;
  if (path == "spec.externalId") return can.native_external_id;
  return true;
}

void flatten(const nlohmann::ordered_json& node, const std::string& path,
             std::vector<Attribute>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) flatten(value, path + "." + key, out);
    return;
  }
  out.push_back({path, node.dump()});
}

// What a create of desired sends, as the normalised manifest spells it
// (controller/manifest/render.cpp): the policies and the ProviderConfig
// reference stay here, and so do the fields this provider never receives.
std::vector<Attribute> create_attributes(const model::Workspace& desired,
                                         const providers::Provider* provider,
                                         const providers::Registry& registry) {
  auto manifest = manifest::to_manifest_json(desired, registry);
  auto spec = manifest["spec"];
  for (const char* local : {"providerConfigRef", "deletionPolicy", "managementPolicy"}) {
    spec.erase(local);
  }
  std::vector<Attribute> all;
  flatten(spec, "spec", all);
  for (const auto& [key, value] : desired.labels) {
    all.push_back({"metadata.labels." + key, nlohmann::json(value).dump()});
  }
  std::vector<std::string> local_only;
  if (provider) local_only = providers::local_only_fields(desired, provider->capabilities());
  std::vector<Attribute> out;
  for (auto& attribute : all) {
    if (is_sent(attribute.path, provider, local_only)) out.push_back(std::move(attribute));
  }
  return out;
}

// No remote workspace is known for a manifest.
WorkspacePlan plan_missing(const model::Workspace& desired, const state::WorkspaceRecord* record,
                           const Observation& observation, const providers::Provider* provider,
                           const providers::Registry& registry) {
  WorkspacePlan out = base(&desired, record);
  const bool pending = record && record->create.state == state::CreateState::kPending;
  // An external-name the user set on a pending create is their answer to
  // it (the kubernetes mode's CreatePendingUnresolved names this `kubectl
  // annotate`): the record holds no remote id, so the name is theirs.
  if (pending && desired.external_name()) {
    out.action = Action::kAdopt;
    out.note = "adopt remote workspace " + *desired.external_name() +
               " (external-name annotation): resolves the pending create";
    return out;
  }
  if (pending) {
    out.action = Action::kResolvePending;
    out.note = "an earlier create's outcome is unknown: looking for it before creating";
    return out;
  }
  if (auto id = desired.external_name()) {
    out.action = Action::kAdopt;
    out.note = "adopt remote workspace " + *id + " (external-name annotation)";
    return out;
  }
  if (desired.management_policy == model::ManagementPolicy::kObserveOnly) {
    out.action = Action::kSkip;
    out.note = "ObserveOnly: no remote workspace to observe; nothing is created";
    return out;
  }
  out.action = Action::kCreate;
  out.attributes = create_attributes(desired, provider, registry);
  if (record && record->remote_id && observation.confirmed_absent) {
    out.note = "remote workspace " + *record->remote_id + " no longer exists: create again";
  }
  return out;
}

// A manifest that changed since it was last applied while the remote needs
// nothing: the change is in fields the provider never receives (or in
// policies), which is recorded on apply and sent nowhere.
std::string local_only_note(const model::Workspace& desired, const state::WorkspaceRecord& record,
                            const std::string& digest, const providers::Provider& provider) {
  if (record.applied_digest.empty() || record.applied_digest == digest) return {};
  std::string fields = join(providers::local_only_fields(desired, provider.capabilities()), ", ");
  const std::string type = model::to_string(provider.type());
  return "local only: the manifest changed where the provider receives nothing" +
         (fields.empty() ? std::string(" (policies)")
                         : " (" + fields + " are not sent to " + type + ")") +
         "; apply records it, nothing is sent";
}

WorkspacePlan plan_existing(const model::Workspace& desired, const state::WorkspaceRecord& record,
                            const providers::RemoteWorkspace& remote,
                            const providers::Provider* provider, const PlanOptions& options) {
  WorkspacePlan out = base(&desired, &record);
  out.desired_digest = manifest::desired_digest(desired, plan_registry(options));
  if (provider) out.changes = provider->diff(desired, remote);
  if (out.changes.empty()) {
    if (provider) out.note = local_only_note(desired, record, out.desired_digest, *provider);
    out.local_only_change = !out.note.empty();
    return out;
  }
  bool replacement = false;
  for (const auto& change : out.changes) replacement = replacement || change.requires_replacement;
  switch (desired.management_policy) {
    case model::ManagementPolicy::kObserveOnly:
      out.note = "ObserveOnly: " + std::to_string(out.changes.size()) +
                 " difference(s) reported, not changed";
      return out;
    case model::ManagementPolicy::kCreateOnly:
      out.note = "CreateOnly: " + std::to_string(out.changes.size()) + " difference(s) left alone";
      return out;
    case model::ManagementPolicy::kFull: break;
  }
  if (replacement) {
    out.action = Action::kReplace;
    out.blocked = !options.allow_replace;
    out.note = out.blocked ? "an immutable field changed: replacement needs --allow-replace"
                           : "an immutable field changed: delete and create again";
    return out;
  }
  out.action = Action::kUpdate;
  return out;
}

}  // namespace

const char* to_string(Action action) {
  switch (action) {
    case Action::kNoop: return "noop";
    case Action::kCreate: return "create";
    case Action::kAdopt: return "adopt";
    case Action::kUpdate: return "update";
    case Action::kReplace: return "replace";
    case Action::kResolvePending: return "resolve-pending";
    case Action::kDelete: return "delete";
    case Action::kOrphan: return "orphan";
    case Action::kSkip: return "skip";
  }
  return "unknown";
}

bool writes_remote(Action action) {
  return action == Action::kCreate || action == Action::kUpdate || action == Action::kReplace ||
         action == Action::kDelete;
}

WorkspacePlan plan_workspace(const model::Workspace* desired, const state::WorkspaceRecord* record,
                             const Observation& observation, const providers::Provider* provider,
                             const PlanOptions& options) {
  if (desired == nullptr) return plan_removed(*record, options);
  if (desired->paused()) {
    WorkspacePlan out = base(desired, record);
    out.action = Action::kSkip;
    out.paused = true;
    out.note = "paused (workspace-operator.io/paused)";
    return out;
  }
  bool known = record && record->remote_id && record->create.state != state::CreateState::kPending;
  bool seen = observation.remote && observation.remote->phase != providers::Phase::kGone;
  if (!known || !seen) {
    if (known && !observation.confirmed_absent) {
      // Could not observe it this time (provider down): change nothing.
      WorkspacePlan out = base(desired, record);
      out.note = "remote workspace " + *record->remote_id + " could not be observed";
      if (!observation.why.empty()) out.note += ": " + observation.why;
      out.unobserved = true;
      return out;
    }
    return plan_missing(*desired, record, observation, provider, plan_registry(options));
  }
  return plan_existing(*desired, *record, *observation.remote, provider, options);
}

size_t Plan::count(Action action) const {
  size_t n = 0;
  for (const auto& item : items) n += item.action == action ? 1 : 0;
  return n;
}

bool Plan::has_changes() const {
  for (const auto& item : items) {
    if (item.action != Action::kNoop && item.action != Action::kSkip) return true;
    if (item.moved_from && item.action == Action::kNoop) return true;
  }
  return false;
}

}  // namespace wsop::plan
