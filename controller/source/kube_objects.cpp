#include "controller/source/kube_objects.h"

#include <optional>
#include <set>

#include "common/digest.h"
#include "controller/state/kube_record.h"

namespace wsop::source {

namespace {

constexpr const char* kGroupVersion = "workspace-operator.io/v1alpha1";
constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
constexpr size_t kProblemsShown = 5;

std::string string_at(const nlohmann::json& object, const char* section, const char* field) {
  const auto s = object.find(section);
  if (s == object.end() || !s->is_object()) return {};
  const auto f = s->find(field);
  return f != s->end() && f->is_string() ? f->get<std::string>() : std::string();
}

// The object's metadata, or null (read in place: a copy would copy the
// record annotation with it, on every watch event).
const nlohmann::json* metadata_of(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  return metadata != object.end() && metadata->is_object() ? &*metadata : nullptr;
}

ObjectMeta meta_of(const nlohmann::json& object) {
  ObjectMeta meta;
  meta.uid = string_at(object, "metadata", "uid");
  meta.resource_version = string_at(object, "metadata", "resourceVersion");
  const nlohmann::json* metadata = metadata_of(object);
  if (!metadata) return meta;
  if (auto g = metadata->find("generation"); g != metadata->end() && g->is_number_integer()) {
    meta.generation = g->get<std::int64_t>();
  }
  auto deletion = metadata->find("deletionTimestamp");
  meta.deleting = deletion != metadata->end() && !deletion->is_null();
  return meta;
}

std::string problem_text(const manifest::Diagnostic& d) {
  return d.path.empty() || d.path == "<document>" ? d.message : d.path + ": " + d.message;
}

void add_problem(std::vector<std::string>& problems, const manifest::Diagnostic& d) {
  std::string text = problem_text(d);
  for (const auto& known : problems) {
    if (known == text) return;
  }
  problems.push_back(std::move(text));
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    out += (i ? "; " : "") + problems[i];
  }
  if (problems.size() > kProblemsShown) {
    out += "; and " + std::to_string(problems.size() - kProblemsShown) + " more";
  }
  return out;
}

// The record annotation's top-level "remoteId" when it is a string, read
// without building the record's tree (a watch event's object carries it).
class RemoteIdReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::string> remote_id;

  bool null() override { return done(); }
  bool boolean(bool) override { return done(); }
  bool number_integer(number_integer_t) override { return done(); }
  bool number_unsigned(number_unsigned_t) override { return done(); }
  bool number_float(number_float_t, const string_t&) override { return done(); }
  bool binary(binary_t&) override { return done(); }
  bool string(string_t& value) override {
    if (at_remote_id_) {
      remote_id = value;  // a later duplicate key wins, as in a parsed tree
      at_remote_id_ = false;
    }
    return true;
  }
  bool start_object(std::size_t) override { return enter(); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool key(string_t& name) override {
    at_remote_id_ = depth_ == 1 && name == "remoteId";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    remote_id.reset();
    return false;
  }

 private:
  bool enter() {
    done();
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  // A value that is not a string: "remoteId" names none (and a duplicate
  // key that is not a string undoes an earlier one, as in a parsed tree).
  bool done() {
    if (at_remote_id_) remote_id.reset();
    at_remote_id_ = false;
    return true;
  }
  int depth_ = 0;
  bool at_remote_id_ = false;
};

std::optional<std::string> record_remote_id(const nlohmann::json& record) {
  if (!record.is_string()) return std::nullopt;
  RemoteIdReader reader;
  if (!nlohmann::json::sax_parse(record.get_ref<const std::string&>(), &reader)) {
    return std::nullopt;
  }
  return reader.remote_id;
}

// What the user wrote, not what the operator keeps on the object: kubectl's
// copy of the last apply, the record (controller/state/kube_record.h) and
// the external-name the operator mirrors from it. An external-name that
// differs from the record's remote id stays: it is the user's request to
// adopt or resolve, judged as in file mode. So the operator's own writes
// never read as a change of the desired state.
// The annotations are copied one by one, so the record, the largest of
// them, is never copied.
nlohmann::json user_annotations(const nlohmann::json& annotations) {
  auto record = annotations.find(state::kRecordAnnotation);
  std::optional<std::string> mirrored;
  if (record != annotations.end()) mirrored = record_remote_id(*record);
  nlohmann::json kept = nlohmann::json::object();
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    const std::string& name = it.key();
    if (name == kLastApplied || name == state::kRecordAnnotation) continue;
    if (name == model::kAnnotationExternalName && mirrored && it->is_string() &&
        it->get_ref<const std::string&>() == *mirrored) {
      continue;
    }
    kept[name] = *it;
  }
  return kept;
}

}  // namespace

std::string ObjectRef::to_string() const {
  if (kind == ObjectKind::kProviderConfig) return "ProviderConfig/" + name;
  return "Workspace/" + ns + "/" + name;
}

Outcome<ObjectRef> object_ref(const nlohmann::json& object) {
  if (!object.is_object()) return Status::error(Code::kInvalid, "not an object");
  std::string kind = object.value("kind", "");
  ObjectRef ref;
  if (kind == "Workspace") {
    ref.kind = ObjectKind::kWorkspace;
    ref.ns = string_at(object, "metadata", "namespace");
  } else if (kind == "ProviderConfig") {
    ref.kind = ObjectKind::kProviderConfig;
  } else {
    return Status::error(Code::kInvalid,
                         "not a Workspace nor a ProviderConfig: kind \"" + kind + "\"");
  }
  ref.name = string_at(object, "metadata", "name");
  if (ref.name.empty() || (ref.kind == ObjectKind::kWorkspace && ref.ns.empty())) {
    return Status::error(Code::kInvalid, kind + " without metadata.name or namespace");
  }
  return ref;
}

nlohmann::json object_document(const nlohmann::json& object, const ObjectRef& ref) {
  nlohmann::json metadata = {{"name", ref.name}};
  if (ref.kind == ObjectKind::kWorkspace) metadata["namespace"] = ref.ns;
  if (const nlohmann::json* from = metadata_of(object)) {
    if (auto labels = from->find("labels"); labels != from->end()) metadata["labels"] = *labels;
    if (auto annotations = from->find("annotations"); annotations != from->end()) {
      nlohmann::json kept =
          annotations->is_object() ? user_annotations(*annotations) : *annotations;
      if (!kept.empty()) metadata["annotations"] = std::move(kept);
    }
  }
  nlohmann::json document = {{"apiVersion", object.value("apiVersion", kGroupVersion)},
                             {"kind", object.value("kind", "")},
                             {"metadata", std::move(metadata)}};
  if (auto spec = object.find("spec"); spec != object.end()) document["spec"] = *spec;
  return document;
}

ObjectSet::ObjectSet(manifest::LoadOptions options) : options_(std::move(options)) {
  options_.cross_document_rules = false;
  options_.provider_config_paths.clear();
  options_.threads = 1;  // one small text a time
}

Outcome<bool> ObjectSet::upsert(const nlohmann::json& object) {
  auto ref = object_ref(object);
  if (!ref) return ref.status();
  ObjectMeta meta = meta_of(object);
  auto it = objects_.find(*ref);
  if (it != objects_.end() && !meta.resource_version.empty() &&
      it->second.meta.resource_version == meta.resource_version) {
    return false;  // decoded already
  }
  nlohmann::json document = object_document(object, *ref);
  std::string digest = sha256_hex(document.dump());
  if (it != objects_.end() && it->second.text_digest == digest) {
    // The operator's own writes (status, record) land here: 10,000
    // Workspaces converging are three such versions each.
    bool deletion_changed = it->second.meta.deleting != meta.deleting;
    it->second.meta = std::move(meta);
    return deletion_changed;
  }
  Decoded decoded{std::move(meta), manifest::load_json(ref->to_string(), document, options_), 0,
                  std::move(digest)};
  objects_.insert_or_assign(*ref, std::move(decoded));
  return true;
}

void ObjectSet::remove(const ObjectRef& ref) {
  objects_.erase(ref);
}

ObjectSnapshot ObjectSet::snapshot() const {
  ObjectSnapshot out;
  std::map<std::string, ObjectRef> by_file;
  std::map<ObjectRef, std::vector<std::string>> problems;
  for (const auto& [ref, decoded] : objects_) {
    out.meta[ref] = decoded.meta;
    by_file[ref.to_string()] = ref;
    if (!decoded.loaded) continue;  // published: it had no errors of its own
    for (const auto& error : decoded.loaded->errors) add_problem(problems[ref], error);
  }
  // Each pass sets aside what breaks a rule across objects; the objects
  // left may then break none, or (a reference to one set aside) another.
  for (size_t pass = 0; pass <= objects_.size(); ++pass) {
    manifest::LoadResult combined;
    for (const auto& [ref, decoded] : objects_) {
      if (problems.count(ref)) {
        if (ref.kind == ObjectKind::kProviderConfig) {
          combined.set.invalid_provider_config_names.insert(ref.name);
        }
        continue;
      }
      manifest::append_loaded(combined, loaded_of(ref, decoded));
    }
    std::vector<manifest::Diagnostic> errors;
    manifest::validate_set(combined.set, errors);
    size_t set_aside = 0;
    for (const auto& error : errors) {
      auto owner = by_file.find(error.file);
      if (owner == by_file.end()) continue;
      set_aside += problems.count(owner->second) ? 0 : 1;
      add_problem(problems[owner->second], error);
    }
    if (set_aside == 0) {
      out.set = std::move(combined.set);
      break;
    }
  }
  for (const auto& [ref, list] : problems) {
    out.invalid.push_back({ref, objects_.at(ref).meta, joined(list)});
  }
  return out;
}

manifest::LoadResult ObjectSet::loaded_of(const ObjectRef& ref, const Decoded& decoded) const {
  if (decoded.loaded) return *decoded.loaded;
  manifest::LoadResult out;
  out.files = out.documents = 1;
  out.set.workspaces.push_back(published_->workspaces.at(decoded.published_at));
  // The published set keeps no positions: the rules across objects need
  // only the object's name, which their errors are filed under (snapshot).
  manifest::DocumentSource source;
  source.file = std::make_shared<const std::string>(ref.to_string());
  out.set.sources.workspaces.push_back(std::move(source));
  return out;
}

namespace {

// Decoded to one valid Workspace and nothing else: the published set's copy
// says all of it.
bool just_a_workspace(const manifest::LoadResult& loaded) {
  const manifest::ManifestSet& set = loaded.set;
  return loaded.errors.empty() && set.workspaces.size() == 1 && set.provider_configs.empty() &&
         set.rejected_workspaces.empty() && set.rejected_provider_configs.empty() &&
         set.invalid_provider_config_names.empty() && !set.provider_config_names_unknown;
}

}  // namespace

void ObjectSet::publish(std::shared_ptr<const manifest::ManifestSet> set) {
  std::map<model::WorkspaceKey, size_t> at;  // where each Workspace is in the new set
  if (set) {
    for (size_t i = 0; i < set->workspaces.size(); ++i) at.emplace(set->workspaces[i].key(), i);
  }
  for (auto& [ref, decoded] : objects_) {
    if (ref.kind != ObjectKind::kWorkspace) continue;
    auto found = at.find({ref.ns, ref.name});
    if (!decoded.loaded) {
      // Left out of the new set (set aside, being deleted): kept here again,
      // copied from the set it was in before that one goes.
      if (found == at.end())
        decoded.loaded = loaded_of(ref, decoded);
      else
        decoded.published_at = found->second;
    } else if (found != at.end() && just_a_workspace(*decoded.loaded)) {
      decoded.loaded.reset();
      decoded.published_at = found->second;
    }
  }
  published_ = std::move(set);
}

size_t ObjectSet::decoded_here() const {
  size_t n = 0;
  for (const auto& [ref, decoded] : objects_) n += decoded.loaded ? 1 : 0;
  return n;
}

}  // namespace wsop::source
