#include "kube/cache.h"

#include <algorithm>
#include <mutex>

#include "kube/client.h"

namespace wsop::kube {
namespace {

const nlohmann::json* label_of(const nlohmann::json& object, const std::string& label) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return nullptr;
  auto value = labels->find(label);
  return value != labels->end() && value->is_string() ? &*value : nullptr;
}

}  // namespace

ObjectCache::ObjectCache(std::vector<std::string> indexed_labels)
    : indexed_labels_(std::move(indexed_labels)) {}

ObjectPtr ObjectCache::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto found = objects_.find(key);
  return found == objects_.end() ? nullptr : found->second;
}

std::vector<ObjectPtr> ObjectCache::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return out;
}

std::vector<ObjectPtr> ObjectCache::list_namespace(const std::string& ns) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  const std::string prefix = ns + "/";
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<ObjectPtr> ObjectCache::by_label(const std::string& label,
                                             const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  if (std::find(indexed_labels_.begin(), indexed_labels_.end(), label) != indexed_labels_.end()) {
    auto values = index_.find(label);
    if (values == index_.end()) return out;
    auto keys = values->second.find(value);
    if (keys == values->second.end()) return out;
    for (const std::string& key : keys->second) out.push_back(objects_.at(key));
    return out;
  }
  for (const auto& [key, object] : objects_) {
    const nlohmann::json* found = label_of(*object, label);
    if (found && found->get_ref<const std::string&>() == value) out.push_back(object);
  }
  return out;
}

std::size_t ObjectCache::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

void ObjectCache::index_locked(const std::string& key, const nlohmann::json& object, bool add) {
  for (const std::string& label : indexed_labels_) {
    const nlohmann::json* value = label_of(object, label);
    if (!value) continue;
    auto& keys = index_[label][value->get<std::string>()];
    if (add) {
      keys.insert(key);
    } else {
      keys.erase(key);
      if (keys.empty()) index_[label].erase(value->get<std::string>());
    }
  }
}

ObjectPtr ObjectCache::upsert_locked(const std::string& key, ObjectPtr object) {
  ObjectPtr& slot = objects_[key];
  ObjectPtr old = std::move(slot);
  if (old) index_locked(key, *old, false);
  index_locked(key, *object, true);
  slot = std::move(object);
  return old;
}

ObjectPtr ObjectCache::erase_locked(const std::string& key) {
  auto found = objects_.find(key);
  if (found == objects_.end()) return nullptr;
  ObjectPtr old = std::move(found->second);
  objects_.erase(found);
  index_locked(key, *old, false);
  return old;
}

ObjectPtr ObjectCache::upsert(ObjectPtr object) {
  const std::string key = object_key(*object);  // before the move below
  std::unique_lock lock(mu_);
  return upsert_locked(key, std::move(object));
}

ObjectPtr ObjectCache::erase(const std::string& key) {
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
        object_resource_version(*found->second) == object_resource_version(*object)) {
      continue;  // unchanged since the watch saw it
    }
    ObjectPtr now = object;
    ObjectPtr old = upsert_locked(key, std::move(object));
    changes.push_back({old ? Change::Kind::kUpdate : Change::Kind::kAdd, old, now});
  }
  std::vector<std::string> gone;
  for (const auto& [key, object] : objects_) {
    if (!listed.count(key)) gone.push_back(key);
  }
  for (const std::string& key : gone) {
    changes.push_back({Change::Kind::kDelete, erase_locked(key), nullptr});
  }
  return changes;
}

}  // namespace wsop::kube
