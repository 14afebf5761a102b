// The informer's store: the objects of one kind as last seen, keyed by
// "namespace/name" ("name" when cluster-scoped), with optional indexes by
// label ("every Workspace with team=research"). Objects are shared and
// immutable (ObjectPtr): a reader keeps what it got while the informer
// moves on.
//
// Thread-safe: any thread reads; the informer alone writes.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace wsop::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

class ObjectCache {
 public:
  // Labels to index by (by_label() of another key scans everything).
  explicit ObjectCache(std::vector<std::string> indexed_labels = {});

  ObjectPtr get(const std::string& key) const;  // null when absent
  std::vector<ObjectPtr> list() const;          // ordered by key
  std::vector<ObjectPtr> list_namespace(const std::string& ns) const;
  std::vector<ObjectPtr> by_label(const std::string& label, const std::string& value) const;
  std::size_t size() const;

  // Writes (the informer's). Each returns the object it replaced, or null.
  ObjectPtr upsert(ObjectPtr object);
  ObjectPtr erase(const std::string& key);

  // What replace() changed, for the informer's handlers.
  struct Change {
    enum class Kind { kAdd, kUpdate, kDelete };
    Kind kind;
    ObjectPtr old_object;  // kUpdate, kDelete
    ObjectPtr new_object;  // kAdd, kUpdate
  };
  // Makes the cache hold exactly `objects` (a relist): adds what is new,
  // updates what changed resourceVersion, deletes what is gone.
  std::vector<Change> replace(std::vector<ObjectPtr> objects);

 private:
  void index_locked(const std::string& key, const nlohmann::json& object, bool add);
  ObjectPtr upsert_locked(const std::string& key, ObjectPtr object);
  ObjectPtr erase_locked(const std::string& key);

  const std::vector<std::string> indexed_labels_;
  mutable std::shared_mutex mu_;
  std::map<std::string, ObjectPtr> objects_;  // guarded by mu_
  // label -> value -> keys; guarded by mu_
  std::map<std::string, std::map<std::string, std::set<std::string>>> index_;
};

}  // namespace wsop::kube
