// Crossplane-style conditions (ARCHITECTURE.md section 5), as the status of
// a Workspace carries them: Ready (the remote exists and is provisioned)
// and Synced (the last reconcile succeeded).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace wsop::model {

enum class ConditionStatus { kUnknown, kTrue, kFalse };
const char* to_string(ConditionStatus status);  // "True" | "False" | "Unknown"
std::optional<ConditionStatus> condition_status_from_string(const std::string& text);

struct Condition {
  ConditionStatus status = ConditionStatus::kUnknown;
  std::string reason;   // CamelCase, e.g. "CreatePendingUnresolved"
  std::string message;  // for people
  // When status last changed. A store keeps what it is given; the caller
  // decides whether a write is a transition.
  std::optional<std::chrono::system_clock::time_point> last_transition_time;

  bool operator==(const Condition&) const = default;
};

struct Conditions {
  Condition ready;   // the remote exists and is provisioned
  Condition synced;  // the last reconcile succeeded

  bool operator==(const Conditions&) const = default;
};

}  // namespace wsop::model
