#include "controller/reconcile/events.h"

namespace wsop::reconcile {

const char* to_string(EventType type) {
  switch (type) {
    case EventType::kCreated: return "created";
    case EventType::kAdopted: return "adopted";
    case EventType::kUpdated: return "updated";
    case EventType::kDriftCorrected: return "drift-corrected";
    case EventType::kReplaced: return "replaced";
    case EventType::kDeleted: return "deleted";
    case EventType::kForgotten: return "forgotten";
    case EventType::kMoved: return "moved";
    case EventType::kCreateAmbiguous: return "create-ambiguous";
    case EventType::kCreatePendingUnresolved: return "create-pending-unresolved";
    case EventType::kReplaceRequired: return "replace-required";
    case EventType::kProvisioningFailed: return "provisioning-failed";
    case EventType::kFailed: return "failed";
  }
  return "unknown";
}

bool is_change(EventType type) {
  switch (type) {
    case EventType::kCreated:
    case EventType::kAdopted:
    case EventType::kUpdated:
    case EventType::kDriftCorrected:
    case EventType::kReplaced:
    case EventType::kDeleted:
    case EventType::kForgotten:
    case EventType::kMoved: return true;
    default: return false;
  }
}

}  // namespace wsop::reconcile
