// The informer's store: the objects of one kind as last seen, keyed by
// "namespace/name" ("name" when cluster-scoped), with optional indexes by
// label ("every Workspace with team=research") or by annotation.
//
// Memory: each object is kept in its MessagePack encoding, in one
// allocation: a converged Workspace takes about 2 KB this way, where its
// JSON tree (a node per field, about a hundred allocations) took about 5 KB
// (docs/PERFORMANCE.md, "Kubernetes mode"). Every read decodes: get(),
// list() and the others answer a fresh tree that the caller owns alone
// (ObjectPtr, immutable), so a reader keeps what it got while the informer
// moves on. Two reads of one object are equal trees, not the same pointer.
// Readers that only need an object's resourceVersion or key ask
// resource_version(), versions() or keys_by_annotation(), which decode
// nothing. Decoding a Workspace costs about 10 us and a hundred
// allocations, so the writes decode nothing either: each entry keeps the
// values of its indexed labels and annotations beside its bytes (what an
// update must take out of the indexes), and the object a write replaced is
// handed back encoded (Replaced), decoded only by a caller that reads it.
//
// Thread-safe: any thread reads; the informer alone writes.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace wsop::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// The encoding the cache keeps (MessagePack, exactly as long as needed),
// and back; for others that keep objects the same way
// (controller/state/kube_record_view.h). decode_object(null) is null, and
// so is that of bytes encode_object did not write.
std::shared_ptr<const std::string> encode_object(const nlohmann::json& object);
ObjectPtr decode_object(const std::shared_ptr<const std::string>& encoded);

// The object a write replaced, still encoded: object() decodes it (null
// when there was none).
struct Replaced {
  std::shared_ptr<const std::string> encoded;
  explicit operator bool() const { return encoded != nullptr; }
  ObjectPtr object() const { return decode_object(encoded); }
};

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
  // Their keys, ordered; decodes nothing.
  std::vector<std::string> keys_by_annotation(const std::string& annotation,
                                              const std::string& value) const;
  bool indexes_annotation(const std::string& annotation) const;
  std::size_t size() const;

  // The object's metadata.resourceVersion ("" when it has none); false when
  // the key is absent. Decodes nothing.
  bool resource_version(const std::string& key, std::string& version) const;
  // The object's bytes as kept (encode_object's MessagePack, in which every
  // string is stored as written: a key absent from the bytes is absent from
  // the object) and its resourceVersion; false when the key is absent.
  // Decodes nothing.
  bool encoded(const std::string& key, std::shared_ptr<const std::string>& bytes,
               std::string& version) const;
  // Every (key, resourceVersion), ordered by key. Decodes nothing.
  std::vector<std::pair<std::string, std::string>> versions() const;

  // Writes (the informer's). Each returns the object it replaced (empty:
  // none), undecoded.
  Replaced upsert(const ObjectPtr& object);
  Replaced erase(const std::string& key);

  // What replace() changed, for the informer's handlers.
  struct Change {
    enum class Kind { kAdd, kUpdate, kDelete };
    Kind kind;
    Replaced old;          // kUpdate, kDelete: the object replaced, undecoded
    ObjectPtr new_object;  // kAdd, kUpdate
  };
  // Makes the cache hold exactly `objects` (a relist): adds what is new,
  // updates what changed resourceVersion, deletes what is gone.
  std::vector<Change> replace(std::vector<ObjectPtr> objects);

 private:
  struct Entry {
    std::shared_ptr<const std::string> encoded;  // MessagePack; shared so reads decode unlocked
    std::string resource_version;
    // The value of each indexed label, then of each indexed annotation, in
    // the order of indexed_labels_ and indexed_annotations_ (nullopt: the
    // object has none that is a string).
    std::vector<std::optional<std::string>> indexed;
  };
  std::vector<std::optional<std::string>> indexed_values(const nlohmann::json& object) const;
  void index_locked(const std::string& key, const std::vector<std::optional<std::string>>& values,
                    bool add);
  void indexed_locked(const char* section, const std::string& name, const std::string& value,
                      std::vector<std::shared_ptr<const std::string>>& out) const;
  Replaced upsert_locked(const std::string& key, const ObjectPtr& object);
  Replaced erase_locked(const std::string& key);

  const std::vector<std::string> indexed_labels_;
  const std::vector<std::string> indexed_annotations_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Entry> objects_;  // guarded by mu_
  // "labels"/"annotations" -> name -> value -> keys; guarded by mu_
  std::map<std::string, std::map<std::string, std::map<std::string, std::set<std::string>>>> index_;
};

}  // namespace wsop::kube
