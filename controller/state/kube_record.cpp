#include "controller/state/kube_record.h"

#include "providers/support/time.h"

namespace wsop::state {

namespace {

using Json = nlohmann::json;

Json time_json(const std::optional<Time>& time) {
  return time ? Json(providers::format_timestamp(*time)) : Json(nullptr);
}

Json record_json(const WorkspaceRecord& r) {
  return {{"v", 1},
          {"providerConfig", r.provider_config},
          {"providerType", model::to_string(r.provider_type)},
          {"externalId", r.external_id},
          {"remoteId", r.remote_id ? Json(*r.remote_id) : Json(nullptr)},
          {"owner", r.owner_instance_id},
          {"origin", to_string(r.origin)},
          {"create",
           {{"state", to_string(r.create.state)},
            {"requestedAt", time_json(r.create.requested_at)},
            {"digest", r.create.request_digest},
            {"attempts", r.create.pending_attempts}}},
          {"deletionPolicy", model::to_string(r.deletion_policy)},
          {"managementPolicy", model::to_string(r.management_policy)},
          {"paused", r.paused},
          {"appliedGeneration", r.applied_generation},
          {"appliedDigest", r.applied_digest},
          {"lastAppliedAt", time_json(r.last_applied_at)}};
}

Json condition_json(const char* type, const model::Condition& c, std::int64_t generation) {
  Json out = {{"type", type}, {"status", to_string(c.status)}, {"observedGeneration", generation}};
  if (!c.reason.empty()) out["reason"] = c.reason;
  if (!c.message.empty()) out["message"] = c.message;
  if (c.last_transition_time) out["lastTransitionTime"] = time_json(c.last_transition_time);
  return out;
}

// A reader of the record annotation that remembers the first problem.
class Fields {
 public:
  Fields(const Json& json, std::string where) : json_(json), where_(std::move(where)) {}
  std::string text(const char* key) {
    auto it = json_.find(key);
    if (it != json_.end() && it->is_string()) return it->get<std::string>();
    fail(key);
    return {};
  }
  std::int64_t integer(const char* key, const Json* from = nullptr) {
    const Json& in = from ? *from : json_;
    auto it = in.find(key);
    if (it != in.end() && it->is_number_integer()) return it->get<std::int64_t>();
    fail(key);
    return 0;
  }
  std::optional<Time> time(const Json& in, const char* key) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return std::nullopt;
    auto parsed =
        it->is_string() ? providers::parse_timestamp(it->get<std::string>()) : std::nullopt;
    if (!parsed) fail(key);
    return parsed;
  }
  void fail(const std::string& key) {
    if (problem_.empty()) problem_ = where_ + ": field \"" + key + "\" is missing or malformed";
  }
  const std::string& problem() const { return problem_; }

 private:
  const Json& json_;
  std::string where_;
  std::string problem_;
};

template <class T, class Parse>
T enum_field(Fields& fields, const std::string& text, const char* key, Parse parse, T fallback) {
  auto value = parse(text);
  if (!value) fields.fail(key);
  return value.value_or(fallback);
}

std::optional<model::DeletionPolicy> deletion_from(const std::string& s) {
  if (s == "Delete") return model::DeletionPolicy::kDelete;
  if (s == "Orphan") return model::DeletionPolicy::kOrphan;
  return std::nullopt;
}

std::optional<model::ManagementPolicy> management_from(const std::string& s) {
  if (s == "Full") return model::ManagementPolicy::kFull;
  if (s == "ObserveOnly") return model::ManagementPolicy::kObserveOnly;
  if (s == "CreateOnly") return model::ManagementPolicy::kCreateOnly;
  return std::nullopt;
}

void read_conditions(const Json& object, WorkspaceRecord& record) {
  const Json status = object.value("status", Json::object());
  for (const auto& c : status.value("conditions", Json::array())) {
    if (!c.is_object()) continue;
    std::string type = c.value("type", "");
    model::Condition* into = type == "Ready"    ? &record.conditions.ready
                             : type == "Synced" ? &record.conditions.synced
                                                : nullptr;
    if (!into) continue;
    into->status = model::condition_status_from_string(c.value("status", ""))
                       .value_or(model::ConditionStatus::kUnknown);
    into->reason = c.value("reason", "");
    into->message = c.value("message", "");
    if (auto t = c.find("lastTransitionTime"); t != c.end() && t->is_string()) {
      into->last_transition_time = providers::parse_timestamp(t->get<std::string>());
    }
  }
}

// The last observation lives in the status (an observation that changes
// costs one status write, not a record write besides); a record written
// before it moved there carries it in the annotation.
std::string observation_of(const Json& object, const Json& record) {
  if (auto status = object.find("status"); status != object.end() && status->is_object()) {
    auto text = status->find("observation");
    if (text != status->end() && text->is_string()) return text->get<std::string>();
  }
  auto earlier = record.find("observed");
  return earlier != record.end() && earlier->is_string() ? earlier->get<std::string>() : "";
}

}  // namespace

Json record_annotations(const WorkspaceRecord& record) {
  return {
      {model::kAnnotationExternalName, record.remote_id ? Json(*record.remote_id) : Json(nullptr)},
      {kRecordAnnotation, record_json(record).dump()}};
}

Json removed_record_annotations() {
  return {{model::kAnnotationExternalName, nullptr}, {kRecordAnnotation, nullptr}};
}

Json record_status(const WorkspaceRecord& record, std::int64_t generation) {
  Json at_provider = Json::object();
  if (record.remote_id) at_provider["remoteId"] = *record.remote_id;
  Json observed =
      Json::parse(record.observed_json.empty() ? "{}" : record.observed_json, nullptr, false);
  if (observed.is_object()) {
    if (observed.contains("phase")) at_provider["phase"] = observed["phase"];
    // The provider's facts (machineId, privateIp...) and its own state word,
    // under its type's name, as the CRD declares them (each provider's
    // schema fragment, merged by manifests/generate.py; the API server drops
    // what it does not declare). Never a credential: no provider reads one
    // (providers/provider.h).
    Json facts = Json::object();
    if (auto found = observed.find("atProvider"); found != observed.end() && found->is_object()) {
      facts = *found;
    }
    auto state = observed.find("status");
    if (state != observed.end() && state->is_string() && !state->get<std::string>().empty()) {
      facts["state"] = *state;
    }
    if (!facts.empty()) at_provider[model::to_string(record.provider_type)] = std::move(facts);
  }
  Json status = {
      {"observedGeneration", generation},
      {"conditions", Json::array({condition_json("Ready", record.conditions.ready, generation),
                                  condition_json("Synced", record.conditions.synced, generation)})},
      {"atProvider", at_provider}};
  // Kept in step with atProvider.remoteId for readers of the earlier field.
  if (record.remote_id) status["remoteId"] = *record.remote_id;
  // Exactly the text observed, so that the record reads back equal.
  if (!record.observed_json.empty()) status["observation"] = record.observed_json;
  return status;
}

namespace {

// The object member `key` of `from` (an empty object when there is none):
// read in place, since each reconcile reads a record or two.
const Json& object_member(const Json& from, const char* key) {
  static const Json kNone = Json::object();
  if (!from.is_object()) return kNone;
  auto found = from.find(key);
  return found != from.end() && found->is_object() ? *found : kNone;
}

}  // namespace

Outcome<std::optional<WorkspaceRecord>> record_of(const Json& object) {
  const Json& metadata = object_member(object, "metadata");
  const Json& annotations = object_member(metadata, "annotations");
  auto text = annotations.find(kRecordAnnotation);
  if (text == annotations.end() || !text->is_string()) return std::optional<WorkspaceRecord>();
  WorkspaceRecord r;
  r.key = {metadata.value("namespace", ""), metadata.value("name", "")};
  std::string where = "Workspace " + r.key.to_string() + ": annotation " + kRecordAnnotation;
  Json json = Json::parse(text->get<std::string>(), nullptr, false);
  if (!json.is_object() || json.value("v", 0) != 1) {
    return Status::error(Code::kInvalid, where + ": not a version 1 record");
  }
  Fields f(json, where);
  r.provider_config = f.text("providerConfig");
  // A registered provider's name, read as written (empty: none was known).
  r.provider_type = model::ProviderType(f.text("providerType"));
  r.external_id = f.text("externalId");
  r.owner_instance_id = f.text("owner");
  r.origin = enum_field(f, f.text("origin"), "origin", origin_from_string, Origin::kCreated);
  const Json create = json.value("create", Json::object());
  Fields c(create, where + ": create");
  r.create.state =
      enum_field(c, c.text("state"), "create.state", create_state_from_string, CreateState::kNone);
  r.create.requested_at = c.time(create, "requestedAt");
  r.create.request_digest = c.text("digest");
  r.create.pending_attempts = static_cast<int>(c.integer("attempts"));
  r.deletion_policy = enum_field(f, f.text("deletionPolicy"), "deletionPolicy", deletion_from,
                                 model::DeletionPolicy::kDelete);
  r.management_policy = enum_field(f, f.text("managementPolicy"), "managementPolicy",
                                   management_from, model::ManagementPolicy::kFull);
  r.paused = json.value("paused", false);
  // An object being deleted can no longer be applied, so file mode's
  // "unpause it and apply" (docs/GITOPS.md) is, here, its own paused
  // annotation, which kubectl may still change: the delete obeys that.
  if (auto at = metadata.find("deletionTimestamp"); at != metadata.end() && !at->is_null()) {
    r.paused = annotations.value(model::kAnnotationPaused, "") == "true";
  }
  r.applied_generation = f.integer("appliedGeneration");
  r.applied_digest = f.text("appliedDigest");
  r.last_applied_at = f.time(json, "lastAppliedAt");
  r.observed_json = observation_of(object, json);
  if (!f.problem().empty()) return Status::error(Code::kInvalid, f.problem());
  if (!c.problem().empty()) return Status::error(Code::kInvalid, c.problem());
  // The record's own copy, not the external-name annotation: a user who
  // sets external-name on an object whose create is pending (to resolve it,
  // or to point it elsewhere) makes a request the reconciler judges, never
  // a record that claims a remote workspace by itself.
  if (auto id = json.find("remoteId"); id != json.end() && id->is_string()) {
    r.remote_id = id->get<std::string>();
  }
  read_conditions(object, r);
  return std::optional<WorkspaceRecord>(std::move(r));
}

}  // namespace wsop::state
