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

// The informer's cache key of a Workspace (kube/informer.h: get).
std::string cache_key(const model::WorkspaceKey& key) {
  return key.ns.empty() ? key.name : key.ns + "/" + key.name;
}

model::WorkspaceKey key_of_cache_key(const std::string& cached) {
  const std::size_t slash = cached.find('/');
  if (slash == std::string::npos) return {"", cached};
  return {cached.substr(0, slash), cached.substr(slash + 1)};
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

const KubeRecordView::Written* KubeRecordView::pick_locked(
    const model::WorkspaceKey& key, bool cached, const std::string& cached_version,
    const std::string& informer_version) const {
  auto entry = overlay_.find(key);
  if (entry == overlay_.end()) return nullptr;
  const std::string& overlaid = entry->second.resource_version;
  // Not comparable (a server whose versions are not integers): the
  // informer's order is the only one known, so it wins.
  std::optional<int> order = cached ? compare_resource_versions(cached_version, overlaid)
                                    : compare_resource_versions(informer_version, overlaid);
  if (!order || *order >= 0) {
    overlay_.erase(entry);
    return nullptr;  // the cache's version, or none: deleted since the write
  }
  return &entry->second;
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
  // The informer's version first, then its cache: see the header.
  const std::string informer_version = informer->last_resource_version();
  std::string cached_version;
  const bool cached = informer->cache().resource_version(cache_key(key), cached_version);
  kube::ObjectPtr tree;
  std::shared_ptr<const std::string> encoded;
  {
    std::lock_guard lock(mu_);
    auto entry = overlay_.find(key);
    if (entry != overlay_.end() && cached &&
        compare_resource_versions(cached_version, entry->second.resource_version) == 0) {
      // The informer has caught up with the write: the same version is the
      // same object, handed over once instead of decoding the cache's.
      tree = std::move(entry->second.tree);
      encoded = std::move(entry->second.encoded);
      overlay_.erase(entry);
    } else if (const Written* newer = pick_locked(key, cached, cached_version, informer_version)) {
      tree = newer->tree;
      encoded = newer->encoded;
    }
  }
  if (tree) return tree;
  if (encoded) return kube::decode_object(encoded);  // unlocked
  // The cache's version, or a newer one the informer stored since.
  return cached ? informer->get(key.ns, key.name) : nullptr;
}

std::vector<KubeRecordView::Listed> KubeRecordView::snapshot() const {
  // Each informer's version before its cache: see the header.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> listed;
  for (const kube::Informer* informer : informers_) {
    std::string version = informer->last_resource_version();
    listed.emplace_back(std::move(version), informer->cache().versions());
  }
  std::vector<Listed> out;
  std::lock_guard lock(mu_);
  // Written objects the informers have not listed (yet): those left here.
  std::set<model::WorkspaceKey> unlisted;
  for (const auto& entry : overlay_) unlisted.insert(entry.first);
  for (auto& [informer_version, versions] : listed) {
    for (auto& [cached_key, version] : versions) {
      model::WorkspaceKey key = key_of_cache_key(cached_key);
      if (!unlisted.empty()) unlisted.erase(key);
      if (const Written* written = pick_locked(key, true, version, informer_version)) {
        out.push_back({std::move(key), written->resource_version, written->tree, written->encoded});
      } else {
        out.push_back({std::move(key), std::move(version), nullptr, nullptr});
      }
    }
  }
  for (const model::WorkspaceKey& key : unlisted) {
    const kube::Informer* informer = informer_for(key.ns);
    const Written* written =
        pick_locked(key, false, "", informer ? informer->last_resource_version() : std::string());
    if (written) {
      out.push_back({key, written->resource_version, written->tree, written->encoded});
    }
  }
  // The caches order by "ns/name"; the contract orders by namespace, then name.
  std::sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.key < b.key; });
  return out;
}

kube::ObjectPtr KubeRecordView::load(const Listed& listed) const {
  if (listed.written) return listed.written;
  if (listed.written_encoded) return kube::decode_object(listed.written_encoded);
  const kube::Informer* informer = informer_for(listed.key.ns);
  return informer ? informer->get(listed.key.ns, listed.key.name) : nullptr;
}

std::optional<std::string> KubeRecordView::version_without_record(const Listed& listed) const {
  // The bytes encode_object wrote hold every string as written (kube/cache.h).
  auto absent_from = [](const std::string& bytes) {
    return std::string_view(bytes).find(kRecordAnnotation) == std::string_view::npos;
  };
  if (listed.written) return std::nullopt;  // a tree already: load() decodes nothing
  if (listed.written_encoded) {
    return absent_from(*listed.written_encoded)
               ? std::optional<std::string>(listed.resource_version)
               : std::nullopt;
  }
  const kube::Informer* informer = informer_for(listed.key.ns);
  std::shared_ptr<const std::string> bytes;
  std::string version;
  if (!informer || !informer->cache().encoded(cache_key(listed.key), bytes, version) || !bytes) {
    return std::nullopt;  // gone: load() says so
  }
  return absent_from(*bytes) ? std::optional<std::string>(std::move(version)) : std::nullopt;
}

kube::ObjectPtr KubeRecordView::remember(nlohmann::json object) {
  model::WorkspaceKey key = key_of(object);
  // As the informer keeps them (kube/informer.h): nothing here reads it.
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");
  }
  Written written{version_of(object), std::nullopt, nullptr, nullptr};
  if (const nlohmann::json* name = external_name(object); name && name->is_string()) {
    written.external_name = name->get<std::string>();
  }
  auto shared = std::make_shared<const nlohmann::json>(std::move(object));
  bool many = false;
  {
    std::lock_guard lock(mu_);
    many = overlay_.size() >= kTreesKept;
  }
  // Encoded unlocked; a race with another remember() only moves the
  // bound by a few entries.
  if (many) {
    written.encoded = kube::encode_object(*shared);
  } else {
    written.tree = shared;
  }
  bool sweep = false;
  {
    std::lock_guard lock(mu_);
    ++overlay_writes_;
    auto entry = overlay_.find(key);
    if (entry == overlay_.end()) {
      overlay_.emplace(key, std::move(written));
    } else {
      std::optional<int> order =
          compare_resource_versions(written.resource_version, entry->second.resource_version);
      if (!order || *order > 0) entry->second = std::move(written);
    }
    sweep = overlay_.size() >= sweep_at_;
  }
  if (sweep) sweep_overlay();
  return shared;
}

void KubeRecordView::sweep_overlay() const {
  // The informers' versions first, then their caches: see the header.
  std::map<const kube::Informer*, std::string> informer_versions;
  for (const kube::Informer* informer : informers_) {
    informer_versions[informer] = informer->last_resource_version();
  }
  std::vector<model::WorkspaceKey> written;
  {
    std::lock_guard lock(mu_);
    written.reserve(overlay_.size());
    for (const auto& entry : overlay_) written.push_back(entry.first);
  }
  std::vector<std::pair<bool, std::string>> cached(written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    const kube::Informer* informer = informer_for(written[i].ns);
    if (informer) {
      cached[i].first = informer->cache().resource_version(cache_key(written[i]), cached[i].second);
    }
  }
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < written.size(); ++i) {
    const kube::Informer* informer = informer_for(written[i].ns);
    pick_locked(written[i], cached[i].first, cached[i].second,
                informer ? informer_versions[informer] : std::string());
  }
  // Entries the watch has not delivered yet stay; sweeping again only once
  // as many have been written keeps a write's cost constant on average.
  sweep_at_ = std::max(kOverlaySweepSize, 2 * overlay_.size());
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
  std::vector<std::pair<model::WorkspaceKey, Written>> written;
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
    for (const auto& [key, entry] : written) {
      if (entry.external_name) index_.keys[*entry.external_name].push_back(key);
    }
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
  // The overlay first, then the caches' indexes: an entry dropped in
  // between was dropped because its cache had caught up with it, so the
  // index read after holds it (or newer). Both give a superset; the caller
  // checks each key's newest object. Only entries that name the remote are
  // looked at (their external-name is kept beside them): a put costs no
  // copy of the whole overlay.
  std::vector<model::WorkspaceKey> keys;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, entry] : overlay_) {
      if (entry.external_name == remote_id) keys.push_back(key);
    }
  }
  for (const kube::Informer* informer : informers_) {
    for (const std::string& cache_key_text :
         informer->cache().keys_by_annotation(model::kAnnotationExternalName, remote_id)) {
      keys.push_back(key_of_cache_key(cache_key_text));
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
  // Only pending_creates() reads it: 64 bytes a record otherwise kept for
  // every object in the memo.
  if (r.create.state == CreateState::kPending) summary.request_digest = r.create.request_digest;
  summary.ready = r.conditions.ready.status;
  summary.synced = r.conditions.synced.status;
  summary.unresolved = r.conditions.synced.reason == "CreatePendingUnresolved";
  return summary;
}

std::vector<RecordSummary> KubeRecordView::summaries(const std::vector<Listed>& objects) const {
  std::vector<RecordSummary> out;
  out.reserve(objects.size());
  for_each_summary(objects,
                   [&](std::size_t, const RecordSummary& summary) { out.push_back(summary); });
  return out;
}

void KubeRecordView::for_each_summary(
    const std::vector<Listed>& objects,
    const std::function<void(std::size_t, const RecordSummary&)>& visit) const {
  static const RecordSummary kNoRecord;
  std::vector<std::string> problems;
  std::lock_guard lock(memo_mu_);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const Listed& listed = objects[i];
    Memo& memo = memo_[listed.key];
    if (memo.resource_version.empty() || memo.resource_version != listed.resource_version) {
      if (auto version = version_without_record(listed)) {
        // A Workspace not yet created holds no record: nothing to decode
        // (the first create's CreateGate seed reads 10,000 such).
        memo = {std::move(*version), RecordSummary{}};
        visit(i, memo.summary);
        continue;
      }
      // One object decoded at a time: its tree is freed before the next.
      kube::ObjectPtr object = load(listed);
      if (!object) {
        visit(i, kNoRecord);  // deleted since the snapshot: no record
        continue;
      }
      memo = {version_of(*object), summarise(*object)};
    }
    if (!memo.summary.invalid.empty()) problems.push_back(memo.summary.invalid);
    visit(i, memo.summary);
  }
  // Forget objects that are gone, once they are many.
  if (memo_.size() > 2 * objects.size() + 64) {
    std::unordered_map<model::WorkspaceKey, Memo, KeyHash> kept;
    for (const Listed& listed : objects) kept[listed.key] = std::move(memo_[listed.key]);
    memo_ = std::move(kept);
  }
  invalid_ = std::move(problems);
}

void KubeRecordView::note_invalid(std::vector<std::string> problems) const {
  std::lock_guard lock(memo_mu_);
  invalid_ = std::move(problems);
}

std::size_t KubeRecordView::overlay_size() const {
  std::lock_guard lock(mu_);
  return overlay_.size();
}

std::vector<std::string> KubeRecordView::invalid_records() const {
  std::lock_guard lock(memo_mu_);
  return invalid_;
}

}  // namespace wsop::state
