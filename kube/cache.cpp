#include "kube/cache.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>

#include "kube/client.h"

namespace wsop::kube {
namespace {

// metadata.<section>.<name> when it is a string ("labels" or "annotations").
const nlohmann::json* metadata_string(const nlohmann::json& object, const char* section,
                                      const std::string& name) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto entries = metadata->find(section);
  if (entries == metadata->end() || !entries->is_object()) return nullptr;
  auto value = entries->find(name);
  return value != entries->end() && value->is_string() ? &*value : nullptr;
}

const nlohmann::json* label_of(const nlohmann::json& object, const std::string& label) {
  return metadata_string(object, "labels", label);
}

std::vector<ObjectPtr> all_decoded(const std::vector<std::shared_ptr<const std::string>>& bytes) {
  std::vector<ObjectPtr> out;
  out.reserve(bytes.size());
  for (const auto& each : bytes) out.push_back(decode_object(each));
  return out;
}

}  // namespace

// MessagePack (nlohmann's), in one allocation exactly as long as needed,
// after one tag byte ('m') that tells our bytes from any others. A
// converged Workspace's JSON text of 2.3 KB packs to about 2 KB, most of
// it the record annotation's string; its tree took about 5 KB in a hundred
// allocations. (Deflating it too would halve that again, at more CPU per
// read, and with a library this project does not otherwise build on.)
std::shared_ptr<const std::string> encode_object(const nlohmann::json& object) {
  std::string bytes(1, 'm');
  nlohmann::json::to_msgpack(object, nlohmann::detail::output_adapter<char>(bytes));
  bytes.shrink_to_fit();
  return std::make_shared<const std::string>(std::move(bytes));
}

ObjectPtr decode_object(const std::shared_ptr<const std::string>& encoded) {
  if (!encoded || encoded->size() < 2 || (*encoded)[0] != 'm') return nullptr;
  nlohmann::json object =
      nlohmann::json::from_msgpack(encoded->begin() + 1, encoded->end(), true, false);
  if (object.is_discarded()) return nullptr;
  return std::make_shared<const nlohmann::json>(std::move(object));
}

ObjectCache::ObjectCache(std::vector<std::string> indexed_labels,
                         std::vector<std::string> indexed_annotations)
    : indexed_labels_(std::move(indexed_labels)),
      indexed_annotations_(std::move(indexed_annotations)) {}

ObjectPtr ObjectCache::get(const std::string& key) const {
  std::shared_ptr<const std::string> bytes;
  {
    std::shared_lock lock(mu_);
    auto found = objects_.find(key);
    if (found == objects_.end()) return nullptr;
    bytes = found->second.encoded;
  }
  return decode_object(bytes);  // unlocked: the informer's writes do not wait for it
}

std::vector<ObjectPtr> ObjectCache::list() const {
  std::vector<std::shared_ptr<const std::string>> bytes;
  {
    std::shared_lock lock(mu_);
    bytes.reserve(objects_.size());
    for (const auto& [key, entry] : objects_) bytes.push_back(entry.encoded);
  }
  return all_decoded(bytes);
}

std::vector<ObjectPtr> ObjectCache::list_namespace(const std::string& ns) const {
  std::vector<std::shared_ptr<const std::string>> bytes;
  {
    std::shared_lock lock(mu_);
    const std::string prefix = ns + "/";
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      bytes.push_back(it->second.encoded);
    }
  }
  return all_decoded(bytes);
}

std::vector<ObjectPtr> ObjectCache::by_label(const std::string& label,
                                             const std::string& value) const {
  if (std::find(indexed_labels_.begin(), indexed_labels_.end(), label) != indexed_labels_.end()) {
    std::vector<std::shared_ptr<const std::string>> bytes;
    {
      std::shared_lock lock(mu_);
      indexed_locked("labels", label, value, bytes);
    }
    return all_decoded(bytes);
  }
  std::vector<ObjectPtr> out;
  for (ObjectPtr& object : list()) {
    const nlohmann::json* found = label_of(*object, label);
    if (found && found->get_ref<const std::string&>() == value) out.push_back(std::move(object));
  }
  return out;
}

std::vector<ObjectPtr> ObjectCache::by_annotation(const std::string& annotation,
                                                  const std::string& value) const {
  std::vector<std::shared_ptr<const std::string>> bytes;
  {
    std::shared_lock lock(mu_);
    indexed_locked("annotations", annotation, value, bytes);
  }
  return all_decoded(bytes);
}

std::vector<std::string> ObjectCache::keys_by_annotation(const std::string& annotation,
                                                         const std::string& value) const {
  std::shared_lock lock(mu_);
  auto names = index_.find("annotations");
  if (names == index_.end()) return {};
  auto values = names->second.find(annotation);
  if (values == names->second.end()) return {};
  auto keys = values->second.find(value);
  if (keys == values->second.end()) return {};
  return {keys->second.begin(), keys->second.end()};
}

bool ObjectCache::indexes_annotation(const std::string& annotation) const {
  return std::find(indexed_annotations_.begin(), indexed_annotations_.end(), annotation) !=
         indexed_annotations_.end();
}

void ObjectCache::indexed_locked(const char* section, const std::string& name,
                                 const std::string& value,
                                 std::vector<std::shared_ptr<const std::string>>& out) const {
  auto names = index_.find(section);
  if (names == index_.end()) return;
  auto values = names->second.find(name);
  if (values == names->second.end()) return;
  auto keys = values->second.find(value);
  if (keys == values->second.end()) return;
  for (const std::string& key : keys->second) out.push_back(objects_.at(key).encoded);
}

std::size_t ObjectCache::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

bool ObjectCache::resource_version(const std::string& key, std::string& version) const {
  std::shared_lock lock(mu_);
  auto found = objects_.find(key);
  if (found == objects_.end()) return false;
  version = found->second.resource_version;
  return true;
}

bool ObjectCache::encoded(const std::string& key, std::shared_ptr<const std::string>& bytes,
                          std::string& version) const {
  std::shared_lock lock(mu_);
  auto found = objects_.find(key);
  if (found == objects_.end()) return false;
  bytes = found->second.encoded;
  version = found->second.resource_version;
  return true;
}

std::vector<std::pair<std::string, std::string>> ObjectCache::versions() const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(objects_.size());
  for (const auto& [key, entry] : objects_) out.emplace_back(key, entry.resource_version);
  return out;
}

std::vector<std::optional<std::string>> ObjectCache::indexed_values(
    const nlohmann::json& object) const {
  std::vector<std::optional<std::string>> values;
  values.reserve(indexed_labels_.size() + indexed_annotations_.size());
  auto add = [&](const char* section, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      const nlohmann::json* value = metadata_string(object, section, name);
      values.push_back(value ? std::optional<std::string>(value->get<std::string>())
                             : std::nullopt);
    }
  };
  add("labels", indexed_labels_);
  add("annotations", indexed_annotations_);
  return values;
}

void ObjectCache::index_locked(const std::string& key,
                               const std::vector<std::optional<std::string>>& values, bool add) {
  std::size_t at = 0;
  auto index = [&](const char* section, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      const std::optional<std::string>& value = values[at++];
      if (!value) continue;
      auto& by_value = index_[section][name];
      if (add) {
        by_value[*value].insert(key);
        continue;
      }
      auto keys = by_value.find(*value);
      if (keys == by_value.end()) continue;
      keys->second.erase(key);
      if (keys->second.empty()) by_value.erase(keys);
    }
  };
  index("labels", indexed_labels_);
  index("annotations", indexed_annotations_);
}

Replaced ObjectCache::upsert_locked(const std::string& key, const ObjectPtr& object) {
  Entry& slot = objects_[key];
  Replaced old{std::move(slot.encoded)};
  if (old) index_locked(key, slot.indexed, false);
  slot = {encode_object(*object), object_resource_version(*object), indexed_values(*object)};
  index_locked(key, slot.indexed, true);
  return old;
}

Replaced ObjectCache::erase_locked(const std::string& key) {
  auto found = objects_.find(key);
  if (found == objects_.end()) return {};
  index_locked(key, found->second.indexed, false);
  Replaced old{std::move(found->second.encoded)};
  objects_.erase(found);
  return old;
}

Replaced ObjectCache::upsert(const ObjectPtr& object) {
  const std::string key = object_key(*object);
  std::unique_lock lock(mu_);
  return upsert_locked(key, object);
}

Replaced ObjectCache::erase(const std::string& key) {
  std::unique_lock lock(mu_);
  return erase_locked(key);
}

std::vector<ObjectCache::Change> ObjectCache::replace(std::vector<ObjectPtr> objects) {
  std::unique_lock lock(mu_);
  std::vector<Change> changes;
  std::set<std::string> listed;
  for (ObjectPtr& object : objects) {
    std::string key = object_key(*object);
    listed.insert(key);
    auto found = objects_.find(key);
    if (found != objects_.end() &&
        found->second.resource_version == object_resource_version(*object)) {
      continue;  // unchanged since the watch saw it
    }
    Replaced old = upsert_locked(key, object);
    const Change::Kind kind = old ? Change::Kind::kUpdate : Change::Kind::kAdd;
    changes.push_back({kind, std::move(old), std::move(object)});
  }
  std::vector<std::string> gone;
  for (const auto& [key, entry] : objects_) {
    if (!listed.count(key)) gone.push_back(key);
  }
  for (const std::string& key : gone) {
    changes.push_back({Change::Kind::kDelete, erase_locked(key), nullptr});
  }
  return changes;
}

}  // namespace wsop::kube
