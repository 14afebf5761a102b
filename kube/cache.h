// The informer's store: the objects of one kind as last seen, keyed by
// "namespace/name" ("name" when cluster-scoped), with optional indexes by
// label ("every Workspace with team=research") or by annotation. Objects are shared and
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
  // Labels and annotations to index by (by_label() of another label scans
  // everything; by_annotation() only answers for an indexed one).
  explicit ObjectCache(std::vector<std::string> indexed_labels = {},
                       std::vector<std::string> indexed_annotations = {});

  ObjectPtr get(const std::string& key) const;  // null when absent
  std::vector<ObjectPtr> list() const;          // ordered by key
  std::vector<ObjectPtr> list_namespace(const std::string& ns) const;
  std::vector<ObjectPtr> by_label(const std::string& label, const std::string& value) const;
  // The objects whose (indexed) annotation is `value`; empty for an
  // annotation not indexed.
  std::vector<ObjectPtr> by_annotation(const std::string& annotation,
                                       const std::string& value) const;
  bool indexes_annotation(const std::string& annotation) const;
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
  void indexed_locked(const char* section, const std::string& name, const std::string& value,
                      std::vector<ObjectPtr>& out) const;
  ObjectPtr upsert_locked(const std::string& key, ObjectPtr object);
  ObjectPtr erase_locked(const std::string& key);

  const std::vector<std::string> indexed_labels_;
  const std::vector<std::string> indexed_annotations_;
  mutable std::shared_mutex mu_;
  std::map<std::string, ObjectPtr> objects_;  // guarded by mu_
  // "labels"/"annotations" -> name -> value -> keys; guarded by mu_
  std::map<std::string, std::map<std::string, std::map<std::string, std::set<std::string>>>> index_;
};

}  // namespace wsop::kube
