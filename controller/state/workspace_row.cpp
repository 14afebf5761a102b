#include "controller/state/workspace_row.h"

#include <chrono>
#include <optional>
#include <string>

namespace wsop::state::sqlite {

const char* const kWorkspaceColumns =
    "namespace, name, external_id, provider_config, provider_type, remote_id, "
    "owner_instance_id, origin, create_state, create_requested_at_ms, create_request_digest, "
    "create_pending_attempts, observed_json, "
    "ready_status, ready_reason, ready_message, ready_transition_ms, "
    "synced_status, synced_reason, synced_message, synced_transition_ms, "
    "applied_generation, applied_digest, last_applied_ms, deletion_policy, management_policy, "
    "paused";

namespace {

std::optional<int64_t> to_optional_millis(const std::optional<Time>& time) {
  if (!time) return std::nullopt;
  return to_millis(*time);
}

std::optional<Time> from_optional_millis(const std::optional<int64_t>& millis) {
  if (!millis) return std::nullopt;
  return from_millis(*millis);
}

// Binds one condition to four parameters from `first`.
void bind_condition(StatementUse& use, int first, const model::Condition& condition) {
  use.bind(first, std::string_view(to_string(condition.status)))
      .bind(first + 1, std::string_view(condition.reason))
      .bind(first + 2, std::string_view(condition.message))
      .bind(first + 3, to_optional_millis(condition.last_transition_time));
}

Status damaged(const WorkspaceRecord& record, const char* column, const std::string& value) {
  return Status::error(Code::kInternal, "state record " + record.key.to_string() +
                                            " has an unreadable " + column + " '" + value + "'");
}

// Reads one condition from four columns from `first`.
Outcome<model::Condition> read_condition(const StatementUse& use, int first,
                                         const WorkspaceRecord& record, const char* column) {
  model::Condition condition;
  std::string status = use.text(first);
  std::optional<model::ConditionStatus> parsed = model::condition_status_from_string(status);
  if (!parsed) return damaged(record, column, status);
  condition.status = *parsed;
  condition.reason = use.text(first + 1);
  condition.message = use.text(first + 2);
  condition.last_transition_time = from_optional_millis(use.optional_integer(first + 3));
  return condition;
}

// Columns 4, 7 and 8: the enums other than conditions.
Status read_enums(const StatementUse& use, WorkspaceRecord& record) {
  // A registered provider's name, read as written (empty: none was known).
  record.provider_type = model::ProviderType(use.text(4));
  std::string origin_text = use.text(7);
  std::optional<Origin> origin = origin_from_string(origin_text);
  if (!origin) return damaged(record, "origin", origin_text);
  record.origin = *origin;
  std::string state_text = use.text(8);
  std::optional<CreateState> state = create_state_from_string(state_text);
  if (!state) return damaged(record, "create_state", state_text);
  record.create.state = *state;
  return Status::ok();
}

// Columns 24 and 25 (schema version 2): what to do when the manifest leaves.
Status read_policies(const StatementUse& use, WorkspaceRecord& record) {
  std::string deletion = use.text(24);
  if (deletion == "Delete" || deletion == "Orphan") {
    record.deletion_policy =
        deletion == "Delete" ? model::DeletionPolicy::kDelete : model::DeletionPolicy::kOrphan;
  } else {
    return damaged(record, "deletion_policy", deletion);
  }
  std::string management = use.text(25);
  if (management == "Full") {
    record.management_policy = model::ManagementPolicy::kFull;
  } else if (management == "ObserveOnly") {
    record.management_policy = model::ManagementPolicy::kObserveOnly;
  } else if (management == "CreateOnly") {
    record.management_policy = model::ManagementPolicy::kCreateOnly;
  } else {
    return damaged(record, "management_policy", management);
  }
  return Status::ok();
}

}  // namespace

void bind_conditions(StatementUse& use, int first, const model::Conditions& conditions) {
  bind_condition(use, first, conditions.ready);
  bind_condition(use, first + 4, conditions.synced);
}

int64_t to_millis(Time time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

Time from_millis(int64_t millis) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::milliseconds(millis)));
}

void bind_record(StatementUse& use, const WorkspaceRecord& r) {
  use.bind(1, std::string_view(r.key.ns))
      .bind(2, std::string_view(r.key.name))
      .bind(3, std::string_view(r.external_id))
      .bind(4, std::string_view(r.provider_config))
      .bind(5, std::string_view(model::to_string(r.provider_type)))
      .bind(6, r.remote_id)
      .bind(7, std::string_view(r.owner_instance_id))
      .bind(8, std::string_view(to_string(r.origin)))
      .bind(9, std::string_view(to_string(r.create.state)))
      .bind(10, to_optional_millis(r.create.requested_at))
      .bind(11, std::string_view(r.create.request_digest))
      .bind(12, int64_t{r.create.pending_attempts})
      .bind(13, std::string_view(r.observed_json));
  bind_conditions(use, 14, r.conditions);
  use.bind(22, r.applied_generation)
      .bind(23, std::string_view(r.applied_digest))
      .bind(24, to_optional_millis(r.last_applied_at))
      .bind(25, std::string_view(model::to_string(r.deletion_policy)))
      .bind(26, std::string_view(model::to_string(r.management_policy)))
      .bind(27, int64_t{r.paused ? 1 : 0});
}

Outcome<WorkspaceRecord> read_record(const StatementUse& use) {
  WorkspaceRecord r;
  r.key.ns = use.text(0);
  r.key.name = use.text(1);
  r.external_id = use.text(2);
  r.provider_config = use.text(3);
  r.remote_id = use.optional_text(5);
  r.owner_instance_id = use.text(6);
  Status enums = read_enums(use, r);
  if (!enums) return enums;
  r.create.requested_at = from_optional_millis(use.optional_integer(9));
  r.create.request_digest = use.text(10);
  r.create.pending_attempts = static_cast<int>(use.integer(11));
  r.observed_json = use.text(12);
  Outcome<model::Condition> ready = read_condition(use, 13, r, "ready_status");
  if (!ready) return ready.status();
  r.conditions.ready = std::move(*ready);
  Outcome<model::Condition> synced = read_condition(use, 17, r, "synced_status");
  if (!synced) return synced.status();
  r.conditions.synced = std::move(*synced);
  r.applied_generation = use.integer(21);
  r.applied_digest = use.text(22);
  r.last_applied_at = from_optional_millis(use.optional_integer(23));
  Status policies = read_policies(use, r);
  if (!policies) return policies;
  r.paused = use.integer(26) != 0;  // column 26: schema version 3
  return r;
}

}  // namespace wsop::state::sqlite
