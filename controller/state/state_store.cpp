#include "controller/state/state_store.h"

namespace wsop::state {

const char* to_string(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::kTrue: return "True";
    case ConditionStatus::kFalse: return "False";
    case ConditionStatus::kUnknown: return "Unknown";
  }
  return "Unknown";
}

std::optional<ConditionStatus> condition_status_from_string(const std::string& text) {
  if (text == "True") return ConditionStatus::kTrue;
  if (text == "False") return ConditionStatus::kFalse;
  if (text == "Unknown") return ConditionStatus::kUnknown;
  return std::nullopt;
}

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

}  // namespace wsop::state
