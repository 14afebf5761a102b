#include "kube/cache.h"

#include <algorithm>
#include <mutex>

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

}  // namespace

ObjectCache::ObjectCache(std::vector<std::string> indexed_labels,
                         std::vector<std::string> indexed_annotations)
    : indexed_labels_(std::move(indexed_labels)),
      indexed_annotations_(std::move(indexed_annotations)) {}

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
    indexed_locked("labels", label, value, out);
    return out;
  }
  for (const auto& [key, object] : objects_) {
    const nlohmann::json* found = label_of(*object, label);
    if (found && found->get_ref<const std::string&>() == value) out.push_back(object);
  }
  return out;
}

std::vector<ObjectPtr> ObjectCache::by_annotation(const std::string& annotation,
                                                  const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  indexed_locked("annotations", annotation, value, out);
  return out;
}

bool ObjectCache::indexes_annotation(const std::string& annotation) const {
  return std::find(indexed_annotations_.begin(), indexed_annotations_.end(), annotation) !=
         indexed_annotations_.end();
}

void ObjectCache::indexed_locked(const char* section, const std::string& name,
                                 const std::string& value, std::vector<ObjectPtr>& out) const {
  auto names = index_.find(section);
  if (names == index_.end()) return;
  auto values = names->second.find(name);
  if (values == names->second.end()) return;
  auto keys = values->second.find(value);
  if (keys == values->second.end()) return;
  for (const std::string& key : keys->second) out.push_back(objects_.at(key));
}

std::size_t ObjectCache::size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

void ObjectCache::index_locked(const std::string& key, const nlohmann::json& object, bool add) {
  auto index = [&](const char* section, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      const nlohmann::json* value = metadata_string(object, section, name);
      if (!value) continue;
      auto& values = index_[section][name];
      auto& keys = values[value->get<std::string>()];
      if (add) {
        keys.insert(key);
      } else {
        keys.erase(key);
        if (keys.empty()) values.erase(value->get<std::string>());
      }
    }
  };
  index("labels", indexed_labels_);
  index("annotations", indexed_annotations_);
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
