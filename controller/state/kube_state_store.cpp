#include "controller/state/kube_state_store.h"

#include <algorithm>
#include <tuple>

#include "controller/state/kube_record.h"
#include "kube/errors.h"

namespace wsop::state {

namespace {

using Json = nlohmann::json;

const Json* child(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

const Json* annotation(const Json& object, const char* name) {
  const Json* metadata = child(object, "metadata");
  const Json* annotations = metadata ? child(*metadata, "annotations") : nullptr;
  return annotations ? child(*annotations, name) : nullptr;
}

Json finalizers_of(const Json& object) {
  const Json* metadata = child(object, "metadata");
  const Json* finalizers = metadata ? child(*metadata, "finalizers") : nullptr;
  return finalizers && finalizers->is_array() ? *finalizers : Json::array();
}

// The finalizers with `finalizer` added, or nullopt when it is there already
// or the object is being deleted (the API server refuses a new one then).
std::optional<Json> finalizers_with(const Json& object, const std::string& finalizer) {
  Json finalizers = finalizers_of(object);
  const Json* metadata = child(object, "metadata");
  if (metadata && child(*metadata, "deletionTimestamp")) return std::nullopt;
  if (std::find(finalizers.begin(), finalizers.end(), Json(finalizer)) != finalizers.end()) {
    return std::nullopt;
  }
  finalizers.push_back(finalizer);
  return finalizers;
}

std::optional<Json> finalizers_without(const Json& object, const std::string& finalizer) {
  Json finalizers = finalizers_of(object);
  Json kept = Json::array();
  for (const Json& f : finalizers) {
    if (f != Json(finalizer)) kept.push_back(f);
  }
  if (kept.size() == finalizers.size()) return std::nullopt;
  return kept;
}

// The merge patch of metadata that stores `record` on `object` with the
// finalizer; nullopt when the object holds both already.
std::optional<Json> record_metadata_patch(const Json& object, const WorkspaceRecord& record,
                                          const std::string& finalizer) {
  Json changed = Json::object();
  const Json wanted = record_annotations(record);  // named: items() does not own it
  for (const auto& [name, value] : wanted.items()) {
    const Json* current = annotation(object, name.c_str());
    if (value.is_null() ? current != nullptr : (!current || *current != value)) {
      changed[name] = value;
    }
  }
  Json metadata = Json::object();
  if (!changed.empty()) metadata["annotations"] = std::move(changed);
  if (auto finalizers = finalizers_with(object, finalizer)) metadata["finalizers"] = *finalizers;
  if (metadata.empty()) return std::nullopt;
  return Json{{"metadata", std::move(metadata)}};
}

// What the server stores of `value`: a merge patch's nulls delete.
Json without_nulls(const Json& value) {
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [name, item] : value.items()) {
    if (!item.is_null()) out[name] = without_nulls(item);
  }
  return out;
}

// The merge patch that turns object `from` into object `to`: `to`, with
// null for each key only `from` has (at every level of objects).
Json replacing_patch(const Json& from, const Json& to) {
  Json patch = to;
  if (!from.is_object() || !to.is_object()) return patch;
  for (const auto& [name, item] : from.items()) {
    auto found = to.find(name);
    if (found == to.end()) {
      patch[name] = nullptr;
    } else if (item.is_object() && found->is_object()) {
      patch[name] = replacing_patch(item, *found);
    }
  }
  return patch;
}

std::size_t hash_of(const Json& value) {
  return std::hash<std::string>{}(value.dump());
}

Status no_record_of(const model::WorkspaceKey& key) {
  return Status::error(Code::kNotFound, "no state record for workspace " + key.to_string());
}

}  // namespace

KubeStateStore::KubeStateStore(std::shared_ptr<kube::Client> client, const kube::Informer& informer,
                               KubeStateStoreOptions options)
    : KubeStateStore(std::move(client), std::vector<const kube::Informer*>{&informer},
                     std::move(options)) {}

KubeStateStore::KubeStateStore(std::shared_ptr<kube::Client> client,
                               std::vector<const kube::Informer*> informers,
                               KubeStateStoreOptions options)
    : client_(std::move(client)), options_(std::move(options)), view_(std::move(informers)) {}

kube::ObjectPtr KubeStateStore::object(const model::WorkspaceKey& key) const {
  return view_.newest(key);
}

Outcome<kube::ObjectPtr> KubeStateStore::read_fresh(const model::WorkspaceKey& key) {
  Outcome<Json> fresh = client_->get(kWorkspaceResource, key.ns, key.name);
  if (!fresh) return fresh.status();
  return view_.remember(std::move(*fresh));
}

Outcome<kube::ObjectPtr> KubeStateStore::existing(const model::WorkspaceKey& key) {
  if (kube::ObjectPtr known = view_.newest(key)) return known;
  return read_fresh(key);
}

std::int64_t KubeStateStore::generation(const model::WorkspaceKey& key, const Json& object) const {
  if (options_.generation_of) {
    if (std::optional<std::int64_t> reconciled = options_.generation_of(key)) return *reconciled;
  }
  const Json* metadata = child(object, "metadata");
  const Json* value = metadata ? child(*metadata, "generation") : nullptr;
  return value && value->is_number_integer() ? value->get<std::int64_t>() : 0;
}

Outcome<kube::ObjectPtr> KubeStateStore::write(const model::WorkspaceKey& key, const Plan& plan,
                                               bool status_subresource, const std::string& what) {
  Outcome<kube::ObjectPtr> known = existing(key);
  if (!known) return known.status().with_context(what);
  kube::ObjectPtr current = *known;
  for (int conflicts = 0;;) {
    Outcome<std::optional<Json>> planned = plan(*current);
    if (!planned) return planned.status().with_context(what);
    if (!planned->has_value()) return current;
    Json patch = std::move(**planned);
    // The precondition: the version the plan's rule was checked against.
    patch["metadata"]["resourceVersion"] = kube::object_resource_version(*current);
    Outcome<Json> answer = status_subresource
                               ? client_->patch_status(kWorkspaceResource, key.ns, key.name, patch)
                               : client_->patch(kWorkspaceResource, key.ns, key.name, patch);
    if (answer) return view_.remember(std::move(*answer));
    if (!kube::is_conflict(answer.status()) || ++conflicts > options_.max_conflict_retries) {
      return answer.status().with_context(what);
    }
    Outcome<kube::ObjectPtr> fresh = read_fresh(key);
    if (!fresh) return fresh.status().with_context(what);
    current = *fresh;
  }
}

Outcome<std::optional<Json>> KubeStateStore::status_patch(const WorkspaceRecord& record,
                                                          const Json& object) {
  Json desired = without_nulls(record_status(record, generation(record.key, object)));
  const Json* found = child(object, "status");
  const Json current = found && found->is_object() ? *found : Json::object();
  if (current == desired) return std::optional<Json>();
  {
    // Sent before, and the server kept what it kept of it (it prunes what
    // the CRD does not declare): nothing new to say.
    std::lock_guard lock(mu_);
    auto sent = sent_status_.find(record.key);
    if (sent != sent_status_.end() && sent->second.sent == hash_of(desired) &&
        sent->second.kept == hash_of(current)) {
      return std::optional<Json>();
    }
  }
  return std::optional<Json>(Json{{"status", replacing_patch(current, desired)}});
}

Status KubeStateStore::write_status(const model::WorkspaceKey& key, const MakeRecord& record_for,
                                    const std::string& what) {
  Json desired;
  bool sent = false;
  Plan plan = [&](const Json& object) -> Outcome<std::optional<Json>> {
    Outcome<WorkspaceRecord> record = record_for(object);
    if (!record) return record.status();
    Outcome<std::optional<Json>> patch = status_patch(*record, object);
    if (patch && patch->has_value()) {
      desired = without_nulls(record_status(*record, generation(key, object)));
      sent = true;
    }
    return patch;
  };
  Outcome<kube::ObjectPtr> written = write(key, plan, true, what + ": status");
  if (!written) return written.status();
  if (sent) {
    const Json* kept = child(**written, "status");
    std::lock_guard lock(mu_);
    sent_status_[key] = {hash_of(desired), hash_of(kept ? *kept : Json::object())};
  }
  return Status::ok();
}

Outcome<WorkspaceRecord> KubeStateStore::write_record(const model::WorkspaceKey& key,
                                                      const MakeRecord& make,
                                                      const std::string& what, bool with_status) {
  WorkspaceRecord planned;
  Plan plan = [&](const Json& object) -> Outcome<std::optional<Json>> {
    Outcome<WorkspaceRecord> record = make(object);
    if (!record) return record.status();
    planned = std::move(*record);
    return record_metadata_patch(object, planned, options_.finalizer);
  };
  Outcome<kube::ObjectPtr> written = write(key, plan, false, what);
  if (!written) return written.status();
  if (!with_status) {
    // The conditions and the observation live in the status alone: unless
    // they change, the status waits for the reconciler's next put.
    Outcome<std::optional<WorkspaceRecord>> back = record_of(**written);
    if (back && back->has_value() && (*back)->conditions == planned.conditions &&
        (*back)->observed_json == planned.observed_json) {
      return planned;
    }
  }
  Status status = write_status(
      key, [&](const Json&) -> Outcome<WorkspaceRecord> { return planned; }, what);
  if (!status) return status;
  return planned;
}

Status KubeStateStore::check_single_owner(const WorkspaceRecord& record,
                                          const model::WorkspaceKey* leaving) {
  if (!record.remote_id) return Status::ok();
  Outcome<std::optional<WorkspaceRecord>> owner =
      find_by_remote_id(record.provider_config, *record.remote_id);
  if (!owner) return owner.status();
  if (*owner && (*owner)->key != record.key && !(leaving && (*owner)->key == *leaving)) {
    return Status::error(Code::kConflict, "remote workspace " + *record.remote_id + " of " +
                                              record.provider_config + " is already recorded for " +
                                              (*owner)->key.to_string() + ", not " +
                                              record.key.to_string());
  }
  return Status::ok();
}

Status KubeStateStore::put(const WorkspaceRecord& record) {
  MakeRecord make = [&](const Json&) -> Outcome<WorkspaceRecord> {
    Status single = check_single_owner(record);
    if (!single) return single;
    return record;
  };
  return write_record(record.key, make, "put " + record.key.to_string()).status();
}

Status KubeStateStore::put_all(const std::vector<WorkspaceRecord>& records) {
  for (const WorkspaceRecord& record : records) {
    Status written = put(record);
    if (!written) return written;
  }
  return Status::ok();
}

Outcome<WorkspaceRecord> KubeStateStore::begin_create(const WorkspaceRecord& record, Time now) {
  const std::string what = "begin create " + record.key.to_string();
  MakeRecord make = [&](const Json& object) -> Outcome<WorkspaceRecord> {
    Outcome<std::optional<WorkspaceRecord>> stored = record_of(object);
    // A damaged record may have been pending: creating again could duplicate.
    if (!stored) return stored.status().with_context(what + " refused");
    const Json* named = annotation(object, model::kAnnotationExternalName);
    if (named && named->is_string()) {
      return Status::error(Code::kConflict,
                           "workspace " + record.key.to_string() + " already has remote id " +
                               named->get<std::string>() + "; refusing to create it again");
    }
    return pending_create_record(record, *stored, now);
  };
  return write_record(record.key, make, what, /*with_status=*/false);
}

Status KubeStateStore::complete_create(const model::WorkspaceKey& key, const std::string& remote_id,
                                       const std::string& observed_json,
                                       const SettleRecord& settle) {
  MakeRecord make = [&](const Json& object) -> Outcome<WorkspaceRecord> {
    Outcome<std::optional<WorkspaceRecord>> stored = record_of(object);
    if (!stored) return stored.status();
    if (!stored->has_value()) return no_record_of(key);
    Outcome<WorkspaceRecord> record =
        completed_create_record(std::move(**stored), remote_id, observed_json, settle);
    if (!record) return record.status();
    Status single = check_single_owner(*record);
    if (!single) return single;
    return record;
  };
  return write_record(key, make, "complete create " + key.to_string(), /*with_status=*/false)
      .status();
}

Status KubeStateStore::set_conditions(const model::WorkspaceKey& key,
                                      const model::Conditions& conditions) {
  MakeRecord record_for = [&](const Json& object) -> Outcome<WorkspaceRecord> {
    Outcome<std::optional<WorkspaceRecord>> stored = record_of(object);
    if (!stored) return stored.status();
    if (!stored->has_value()) return no_record_of(key);
    WorkspaceRecord record = std::move(**stored);
    record.conditions = conditions;
    return record;
  };
  return write_status(key, record_for, "set conditions of " + key.to_string());
}

Status KubeStateStore::remove(const model::WorkspaceKey& key) {
  bool planned = false;  // a patch was planned: a later 404 means the object went
  Plan plan = [&](const Json& object) -> Outcome<std::optional<Json>> {
    if (!annotation(object, kRecordAnnotation)) return no_record_of(key);
    planned = true;
    Json annotations = Json::object();
    const Json removed = removed_record_annotations();  // named: items() does not own it
    for (const auto& [name, value] : removed.items()) {
      if (annotation(object, name.c_str())) annotations[name] = nullptr;
    }
    Json metadata = {{"annotations", std::move(annotations)}};
    if (auto finalizers = finalizers_without(object, options_.finalizer)) {
      metadata["finalizers"] = *finalizers;
    }
    return std::optional<Json>(Json{{"metadata", std::move(metadata)}});
  };
  Outcome<kube::ObjectPtr> written = write(key, plan, false, "remove " + key.to_string());
  if (!written && !(planned && kube::is_not_found(written.status()))) {
    // No object at all: no record either.
    if (!planned && kube::is_not_found(written.status())) return no_record_of(key);
    return written.status();
  }
  std::lock_guard lock(mu_);
  sent_status_.erase(key);
  return Status::ok();
}

Status KubeStateStore::move(const model::WorkspaceKey& from, const WorkspaceRecord& to) {
  if (from == to.key) return put(to);
  const std::string what = "move " + from.to_string() + " to " + to.key.to_string();
  // What would make it fail, checked before `from` loses its record: a
  // record to move, an object `to` to put it on, and no third record that
  // holds the remote.
  Outcome<kube::ObjectPtr> source = existing(from);
  if (!source && kube::is_not_found(source.status())) return no_record_of(from);
  if (!source) return source.status().with_context(what);
  if (!annotation(**source, kRecordAnnotation)) return no_record_of(from);
  Outcome<kube::ObjectPtr> target = existing(to.key);
  if (!target) return target.status().with_context(what);
  Status single = check_single_owner(to, &from);
  if (!single) return single.with_context(what);
  // No transaction spans two objects: unowned for a moment, never owned twice.
  Status removed = remove(from);
  if (!removed) return removed.with_context("move " + from.to_string());
  return put(to).with_context(what);
}

Outcome<std::optional<std::string>> KubeStateStore::get_meta(const std::string& key) {
  std::lock_guard lock(mu_);
  auto found = meta_.find(key);
  if (found == meta_.end()) return std::optional<std::string>();
  return std::optional<std::string>(found->second);
}

Status KubeStateStore::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  meta_[key] = value;
  return Status::ok();
}

}  // namespace wsop::state
