#include "controller/runtime/kube_events.h"

namespace wsop::runtime {

KubeEventReason kube_event_reason(reconcile::EventType type) {
  using reconcile::EventType;
  constexpr auto kNormal = kube::EventType::kNormal;
  constexpr auto kWarning = kube::EventType::kWarning;
  switch (type) {
    case EventType::kCreated: return {"Created", "Create", kNormal};
    case EventType::kAdopted: return {"Adopted", "Adopt", kNormal};
    case EventType::kUpdated: return {"Updated", "Update", kNormal};
    case EventType::kDriftCorrected: return {"DriftCorrected", "Update", kNormal};
    case EventType::kReplaced: return {"Replaced", "Replace", kNormal};
    case EventType::kDeleted: return {"Deleted", "Delete", kNormal};
    case EventType::kForgotten: return {"Orphaned", "Orphan", kNormal};
    case EventType::kMoved: return {"Moved", "Move", kNormal};
    case EventType::kCreateAmbiguous: return {"CreateAmbiguous", "Create", kWarning};
    case EventType::kCreatePendingUnresolved:
      return {"CreatePendingUnresolved", "Create", kWarning};
    case EventType::kReplaceRequired: return {"ReplaceRequired", "Update", kWarning};
    case EventType::kProvisioningFailed: return {"ProvisioningFailed", "Provision", kWarning};
    case EventType::kFailed: break;
  }
  return {"ReconcileError", "Reconcile", kWarning};
}

void KubeEventSink::on_event(const reconcile::Event& event) {
  log_.on_event(event);
  if (!recorder_ || !leading_ || !leading_->load()) return;
  kube::ObjectPtr object = workspace_(event.key);
  if (!object) return;  // gone: nothing to hang the Event on
  KubeEventReason why = kube_event_reason(event.type);
  recorder_->record(kube::reference_to(*object), why.type, why.reason, why.action, event.message);
  if (why.type == kube::EventType::kWarning && on_failure_) on_failure_(event);
}

}  // namespace wsop::runtime
