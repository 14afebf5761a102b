#include "controller/state/kube_record_view.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "controller/state/kube_record.h"

namespace wsop::state {

namespace {

std::optional<std::uint64_t> parse_version(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string version_of(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  auto version = metadata->find("resourceVersion");
  return version != metadata->end() && version->is_string() ? version->get<std::string>() : "";
}

}  // namespace

const nlohmann::json* external_name(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto annotations = metadata->find("annotations");
  if (annotations == metadata->end() || !annotations->is_object()) return nullptr;
  auto name = annotations->find(model::kAnnotationExternalName);
  return name == annotations->end() ? nullptr : &*name;
}

std::optional<int> compare_resource_versions(const std::string& a, const std::string& b) {
  auto x = parse_version(a);
  auto y = parse_version(b);
  if (!x || !y) {
    if (a == b) return 0;
    return std::nullopt;
  }
  return *x < *y ? -1 : (*x > *y ? 1 : 0);
}

model::WorkspaceKey key_of(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  return {metadata->value("namespace", ""), metadata->value("name", "")};
}

kube::ObjectPtr KubeRecordView::pick_locked(const model::WorkspaceKey& key, kube::ObjectPtr cached,
                                            const std::string& informer_version) const {
  auto entry = overlay_.find(key);
  if (entry == overlay_.end()) return cached;
  const std::string overlaid = version_of(*entry->second);
  // Not comparable (a server whose versions are not integers): the
  // informer's order is the only one known, so it wins.
  std::optional<int> order = cached ? compare_resource_versions(version_of(*cached), overlaid)
                                    : compare_resource_versions(informer_version, overlaid);
  if (!order || *order >= 0) {
    drop_locked(entry);
    return cached;  // the cache's version, or null: deleted since the write
  }
  return entry->second;
}

void KubeRecordView::drop_locked(Overlay::iterator entry) const {
  if (const nlohmann::json* name = external_name(*entry->second); name && name->is_string()) {
    auto keys = overlay_names_.find(name->get_ref<const std::string&>());
    if (keys != overlay_names_.end()) {
      keys->second.erase(entry->first);
      if (keys->second.empty()) overlay_names_.erase(keys);
    }
  }
  overlay_.erase(entry);
}

void KubeRecordView::keep_locked(const model::WorkspaceKey& key, kube::ObjectPtr object) {
  if (auto entry = overlay_.find(key); entry != overlay_.end()) drop_locked(entry);
  if (const nlohmann::json* name = external_name(*object); name && name->is_string()) {
    overlay_names_[name->get<std::string>()].insert(key);
  }
  overlay_.emplace(key, std::move(object));
}

void KubeRecordView::sweep_locked() {
  // What pick_locked would drop on a read of each entry: written objects
  // the informer has caught up with, which no read may come back for.
  std::vector<model::WorkspaceKey> keys;
  keys.reserve(overlay_.size());
  for (const auto& entry : overlay_) keys.push_back(entry.first);
  for (const model::WorkspaceKey& key : keys) {
    const kube::Informer* informer = informer_for(key.ns);
    if (!informer) continue;
    // The informer's version first, then its cache: see the header.
    std::string informer_version = informer->last_resource_version();
    pick_locked(key, informer->get(key.ns, key.name), informer_version);
  }
  swept_at_size_ = overlay_.size();
}

const kube::Informer* KubeRecordView::informer_for(const std::string& ns) const {
  for (const kube::Informer* informer : informers_) {
    if (informer->namespace_name().empty() || informer->namespace_name() == ns) return informer;
  }
  return nullptr;
}

std::string KubeRecordView::versions() const {
  std::string out;
  for (const kube::Informer* informer : informers_) out += informer->last_resource_version() + ",";
  return out;
}

std::vector<kube::ObjectPtr> KubeRecordView::cached() const {
  std::vector<kube::ObjectPtr> out;
  for (const kube::Informer* informer : informers_) {
    std::vector<kube::ObjectPtr> objects = informer->list();
    out.insert(out.end(), std::make_move_iterator(objects.begin()),
               std::make_move_iterator(objects.end()));
  }
  return out;
}

kube::ObjectPtr KubeRecordView::newest(const model::WorkspaceKey& key) const {
  const kube::Informer* informer = informer_for(key.ns);
  if (!informer) return nullptr;  // a namespace this controller does not watch
  // The cache is read under mu_: read before it, a version older than one
  // another reader has just dropped the overlay entry for (its cache read
  // was newer) would be answered as the newest. The informer's version
  // first, then its cache: see the header.
  std::lock_guard lock(mu_);
  const std::string informer_version = informer->last_resource_version();
  return pick_locked(key, informer->get(key.ns, key.name), informer_version);
}

std::vector<kube::ObjectPtr> KubeRecordView::snapshot() const {
  // The caches are listed under mu_, as newest() reads them; each
  // informer's version before its cache: see the header.
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::vector<kube::ObjectPtr>>> listed;
  for (const kube::Informer* informer : informers_) {
    std::string version = informer->last_resource_version();
    listed.emplace_back(std::move(version), informer->list());
  }
  std::vector<std::pair<model::WorkspaceKey, kube::ObjectPtr>> keyed;
  // Written objects the informers have not listed (yet): those left here.
  std::set<model::WorkspaceKey> unlisted;
  for (const auto& entry : overlay_) unlisted.insert(entry.first);
  for (auto& [informer_version, cached] : listed) {
    for (kube::ObjectPtr& object : cached) {
      model::WorkspaceKey key = key_of(*object);
      if (!unlisted.empty()) unlisted.erase(key);
      kube::ObjectPtr chosen = pick_locked(key, std::move(object), informer_version);
      if (chosen) keyed.emplace_back(std::move(key), std::move(chosen));
    }
  }
  for (const model::WorkspaceKey& key : unlisted) {
    const kube::Informer* informer = informer_for(key.ns);
    kube::ObjectPtr chosen =
        pick_locked(key, nullptr, informer ? informer->last_resource_version() : std::string());
    if (chosen) keyed.emplace_back(key, std::move(chosen));
  }
  // The caches order by "ns/name"; the contract orders by namespace, then name.
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<kube::ObjectPtr> objects;
  objects.reserve(keyed.size());
  for (auto& [key, object] : keyed) objects.push_back(std::move(object));
  return objects;
}

kube::ObjectPtr KubeRecordView::remember(nlohmann::json object) {
  model::WorkspaceKey key = key_of(object);
  // As the informer keeps them (kube/informer.h): nothing here reads it.
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");
  }
  auto shared = std::make_shared<const nlohmann::json>(std::move(object));
  std::lock_guard lock(mu_);
  ++overlay_writes_;
  auto entry = overlay_.find(key);
  if (entry == overlay_.end()) {
    keep_locked(key, shared);
  } else {
    std::optional<int> order =
        compare_resource_versions(version_of(*shared), version_of(*entry->second));
    if (!order || *order > 0) keep_locked(key, shared);
  }
  // Entries no read comes back for would pile up (and slow naming_indexed's
  // callers down): swept whenever the overlay has doubled since the last
  // sweep, so each write pays O(1) on average.
  if (overlay_.size() > 2 * swept_at_size_ + 64) sweep_locked();
  return shared;
}

std::vector<model::WorkspaceKey> KubeRecordView::naming(const std::string& remote_id) const {
  bool indexed = !informers_.empty();
  for (const kube::Informer* informer : informers_) {
    indexed = indexed && informer->cache().indexes_annotation(model::kAnnotationExternalName);
  }
  if (indexed) return naming_indexed(remote_id);
  // The stamp first, then what it stamps: the informer advances its version
  // after its cache, so a later change always moves the stamp.
  const std::string informer_version = versions();
  std::vector<std::pair<model::WorkspaceKey, kube::ObjectPtr>> written;
  std::uint64_t overlay_writes = 0;
  {
    std::lock_guard lock(mu_);
    overlay_writes = overlay_writes_;
    written.assign(overlay_.begin(), overlay_.end());
  }
  std::lock_guard lock(index_mu_);
  if (!index_.built || index_.informer_version != informer_version ||
      index_.overlay_writes != overlay_writes) {
    index_.keys.clear();
    auto add = [&](const kube::ObjectPtr& object) {
      if (const nlohmann::json* name = external_name(*object); name && name->is_string()) {
        index_.keys[name->get<std::string>()].push_back(key_of(*object));
      }
    };
    for (const kube::ObjectPtr& object : cached()) add(object);
    for (const auto& entry : written) add(entry.second);
    index_ = {informer_version, overlay_writes, true, std::move(index_.keys)};
  }
  auto found = index_.keys.find(remote_id);
  if (found == index_.keys.end()) return {};
  std::vector<model::WorkspaceKey> keys = found->second;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::vector<model::WorkspaceKey> KubeRecordView::naming_indexed(
    const std::string& remote_id) const {
  // The overlay's index first, then the caches': an entry dropped from the
  // overlay in between was dropped because the cache caught up with it, so
  // the key is found in one or the other (the caller checks each key's
  // newest object: a superset is enough).
  std::vector<model::WorkspaceKey> keys;
  {
    std::lock_guard lock(mu_);
    if (auto found = overlay_names_.find(remote_id); found != overlay_names_.end()) {
      keys.assign(found->second.begin(), found->second.end());
    }
  }
  for (const kube::Informer* informer : informers_) {
    for (const kube::ObjectPtr& object :
         informer->cache().by_annotation(model::kAnnotationExternalName, remote_id)) {
      keys.push_back(key_of(*object));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

RecordSummary KubeRecordView::summarise(const nlohmann::json& object) {
  RecordSummary summary;
  Outcome<std::optional<WorkspaceRecord>> record = record_of(object);
  if (!record) {
    summary.invalid = record.status().message();
    return summary;
  }
  if (!record->has_value()) return summary;
  const WorkspaceRecord& r = **record;
  summary.has_record = true;
  summary.owner_instance_id = r.owner_instance_id;
  summary.provider_config = r.provider_config;
  summary.create_state = r.create.state;
  summary.request_digest = r.create.request_digest;
  summary.ready = r.conditions.ready.status;
  summary.synced = r.conditions.synced.status;
  summary.unresolved = r.conditions.synced.reason == "CreatePendingUnresolved";
  return summary;
}

std::vector<RecordSummary> KubeRecordView::summaries(
    const std::vector<kube::ObjectPtr>& objects) const {
  std::vector<RecordSummary> out;
  out.reserve(objects.size());
  std::vector<std::string> problems;
  std::lock_guard lock(memo_mu_);
  for (const kube::ObjectPtr& object : objects) {
    model::WorkspaceKey key = key_of(*object);
    std::string version = version_of(*object);
    Memo& memo = memo_[key.to_string()];
    if (memo.resource_version.empty() || memo.resource_version != version) {
      memo = {version, summarise(*object)};
    }
    if (!memo.summary.invalid.empty()) problems.push_back(memo.summary.invalid);
    out.push_back(memo.summary);
  }
  // Forget objects that are gone, once they are many.
  if (memo_.size() > 2 * objects.size() + 64) {
    std::unordered_map<std::string, Memo> kept;
    for (const kube::ObjectPtr& object : objects) {
      std::string name = key_of(*object).to_string();
      kept[name] = std::move(memo_[name]);
    }
    memo_ = std::move(kept);
  }
  invalid_ = std::move(problems);
  return out;
}

void KubeRecordView::note_invalid(std::vector<std::string> problems) const {
  std::lock_guard lock(memo_mu_);
  invalid_ = std::move(problems);
}

std::vector<std::string> KubeRecordView::invalid_records() const {
  std::lock_guard lock(memo_mu_);
  return invalid_;
}

}  // namespace wsop::state
