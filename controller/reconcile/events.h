// What a reconcile did, told to whoever listens: the CLI prints one line per
// change, the controller logs it and counts it. Never carries a token.
#pragma once

#include <string>

#include "api/v1alpha1/types.h"

namespace wsop::reconcile {

enum class EventType {
  kCreated,
  kAdopted,
  kUpdated,
  kDriftCorrected,
  kReplaced,
  kDeleted,
  kForgotten,
  kMoved,                    // a rename: the record moved to this key, the remote kept
  kCreateAmbiguous,          // the create's answer was lost; the journal holds it
  kCreatePendingUnresolved,  // no way to tell; the user must act
  kReplaceRequired,          // blocked: an immutable field changed
  kProvisioningFailed,
  kFailed,  // a reconcile error (will be retried)
};
const char* to_string(EventType type);
bool is_change(
    EventType type);  // created, adopted, moved, updated, drift, replaced, deleted, forgotten

struct Event {
  EventType type;
  model::WorkspaceKey key;
  std::string provider_config;
  std::string message;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& event) = 0;  // called from worker threads
};

}  // namespace wsop::reconcile
