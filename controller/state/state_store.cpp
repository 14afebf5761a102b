#include "controller/state/state_store.h"

namespace wsop::state {

const char* to_string(CreateState state) {
  switch (state) {
    case CreateState::kNone: return "none";
    case CreateState::kPending: return "pending";
    case CreateState::kSucceeded: return "succeeded";
  }
  return "none";
}

std::optional<CreateState> create_state_from_string(const std::string& text) {
  if (text == "none") return CreateState::kNone;
  if (text == "pending") return CreateState::kPending;
  if (text == "succeeded") return CreateState::kSucceeded;
  return std::nullopt;
}

const char* to_string(Origin origin) {
  switch (origin) {
    case Origin::kCreated: return "created";
    case Origin::kAdopted: return "adopted";
    case Origin::kImported: return "imported";
  }
  return "created";
}

std::optional<Origin> origin_from_string(const std::string& text) {
  if (text == "created") return Origin::kCreated;
  if (text == "adopted") return Origin::kAdopted;
  if (text == "imported") return Origin::kImported;
  return std::nullopt;
}

Outcome<WorkspaceRecord> pending_create_record(const WorkspaceRecord& requested,
                                               const std::optional<WorkspaceRecord>& stored,
                                               Time now) {
  if (stored && stored->remote_id) {
    return Status::error(Code::kConflict, "workspace " + requested.key.to_string() +
                                              " already has remote id " + *stored->remote_id +
                                              "; refusing to create it again");
  }
  WorkspaceRecord pending = requested;
  bool was_pending = stored && stored->create.state == CreateState::kPending;
  pending.remote_id.reset();
  pending.origin = Origin::kCreated;
  pending.create.state = CreateState::kPending;
  pending.create.requested_at = std::chrono::time_point_cast<std::chrono::milliseconds>(now);
  pending.create.pending_attempts = (was_pending ? stored->create.pending_attempts : 0) + 1;
  return pending;
}

Outcome<WorkspaceRecord> completed_create_record(WorkspaceRecord stored,
                                                 const std::string& remote_id,
                                                 const std::string& observed_json,
                                                 const SettleRecord& settle) {
  if (stored.create.state != CreateState::kPending) {
    return Status::error(Code::kConflict, "workspace " + stored.key.to_string() +
                                              " has no pending create to complete (state " +
                                              to_string(stored.create.state) + ")");
  }
  const model::WorkspaceKey key = stored.key;
  if (settle) settle(stored);
  // The journal's fields are this step's, whatever `settle` did.
  stored.key = key;
  stored.remote_id = remote_id;
  stored.observed_json = observed_json;
  stored.create.state = CreateState::kSucceeded;
  stored.create.pending_attempts = 0;
  return stored;
}

}  // namespace wsop::state
