#include "controller/reconcile/status_json.h"

#include "providers/support/time.h"

namespace wsop::reconcile {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson condition_json(const char* type, const model::Condition& c) {
  OrderedJson out = {{"type", type},
                     {"status", model::to_string(c.status)},
                     {"reason", c.reason},
                     {"message", c.message}};
  if (c.last_transition_time) {
    out["lastTransitionTime"] = providers::format_timestamp(*c.last_transition_time);
  }
  return out;
}

}  // namespace

OrderedJson workspace_status_json(const state::WorkspaceRecord& r) {
  OrderedJson observed =
      OrderedJson::parse(r.observed_json.empty() ? "{}" : r.observed_json, nullptr, false);
  if (observed.is_discarded()) observed = OrderedJson::object();
  OrderedJson create = {{"state", state::to_string(r.create.state)},
                        {"pendingAttempts", r.create.pending_attempts}};
  if (r.create.requested_at)
    create["requestedAt"] = providers::format_timestamp(*r.create.requested_at);
  if (!r.create.request_digest.empty()) create["requestDigest"] = r.create.request_digest;
  OrderedJson status = {
      {"remoteId", r.remote_id ? OrderedJson(*r.remote_id) : OrderedJson(nullptr)},
      {"origin", state::to_string(r.origin)},
      {"ownerInstanceId", r.owner_instance_id},
      {"appliedGeneration", r.applied_generation},
      {"conditions",
       {condition_json("Ready", r.conditions.ready),
        condition_json("Synced", r.conditions.synced)}},
      {"createJournal", create},
      {"observed", observed}};
  if (r.last_applied_at)
    status["lastAppliedTime"] = providers::format_timestamp(*r.last_applied_at);
  OrderedJson metadata = {{"name", r.key.name}, {"namespace", r.key.ns}};
  // The pause as the manifest says it, so `get` shows why nothing moves.
  if (r.paused) metadata["annotations"] = {{model::kAnnotationPaused, "true"}};
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "Workspace"},
          {"metadata", metadata},
          {"spec",
           {{"providerConfigRef", {{"name", r.provider_config}}},
            {"providerType", model::to_string(r.provider_type)},
            {"externalId", r.external_id},
            {"deletionPolicy", model::to_string(r.deletion_policy)},
            {"managementPolicy", model::to_string(r.management_policy)}}},
          {"status", status}};
}

OrderedJson workspace_status_list(const std::vector<state::WorkspaceRecord>& records) {
  OrderedJson items = OrderedJson::array();
  for (const auto& r : records) items.push_back(workspace_status_json(r));
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
}

}  // namespace wsop::reconcile
