// Workspace and ProviderConfig resources read from the Kubernetes API, made
// into the same model as files (controller/manifest/manifest_set.h): each
// object goes through the file mode's loader, so every field, default and
// validation rule of the file mode applies to it. Unlike a file set, where
// one bad document refuses the revision, an invalid object is set aside
// alone with its message (for its status: Synced=False, InvalidSpec) and
// the others go on, as a Kubernetes controller treats each object.
//
// Each object is decoded once per change of what the loader reads of it
// (upsert() compares its digest); snapshot() then checks
// the rules across objects (references, provider blocks, duplicate
// externalIds) over the valid ones, setting aside whatever breaks them,
// until the set holds.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"

namespace wsop::source {

enum class ObjectKind { kProviderConfig, kWorkspace };

struct ObjectRef {
  ObjectKind kind = ObjectKind::kWorkspace;
  std::string ns;  // empty for the cluster-scoped ProviderConfig
  std::string name;
  auto operator<=>(const ObjectRef&) const = default;
  // "Workspace/team-a/docs", "ProviderConfig/paradigm-prod": also the name
  // the loader's diagnostics give as the object's file.
  std::string to_string() const;
};

// What the API server says of an object beside its spec.
struct ObjectMeta {
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  bool deleting = false;  // metadata.deletionTimestamp is set
};

// An object set aside: its spec breaks a rule. `message` lists the
// problems as "spec.hardware.cpus: must be ..." (no positions: the text
// the loader read is not the user's).
struct InvalidObject {
  ObjectRef ref;
  ObjectMeta meta;
  std::string message;
};

struct ObjectSnapshot {
  manifest::ManifestSet set;             // the valid objects, as the file mode loads them
  std::map<ObjectRef, ObjectMeta> meta;  // of every object, valid or not
  std::vector<InvalidObject> invalid;
};

// Which object a JSON object from the API is; kInvalid without a kind or a
// name of ours.
Outcome<ObjectRef> object_ref(const nlohmann::json& object);

// The document the loader reads for one object: apiVersion, kind, metadata
// (name, namespace, labels, the annotations the user wrote: not kubectl's
// last-applied copy, the operator's record nor its mirror of the remote id)
// and spec; status and the server's fields left out. Loaded as a tree
// (manifest::load_json), never printed and parsed again.
nlohmann::json object_document(const nlohmann::json& object, const ObjectRef& ref);

class ObjectSet {
 public:
  explicit ObjectSet(manifest::LoadOptions options = {});

  // An object as listed or watched (ADDED, MODIFIED). Answers whether the
  // desired state it gives changed: what the loader reads of it
  // (object_document) or whether it is being deleted. A new version that
  // changes neither (its status, the operator's annotations) is not decoded
  // again: it only updates the object's metadata. kInvalid for an object
  // that is neither a Workspace nor a ProviderConfig.
  Outcome<bool> upsert(const nlohmann::json& object);
  void remove(const ObjectRef& ref);  // DELETED
  size_t size() const { return objects_.size(); }

  ObjectSnapshot snapshot() const;

  // The set made of the last snapshot(), as published (the caller may
  // leave objects out of it, never change one): each Workspace in it is
  // kept there alone, not also decoded here, until its object changes;
  // later snapshots copy it from there. The caller keeps the set alive by
  // this pointer (a DesiredState's, through an aliasing shared_ptr), so
  // that 10,000 valid Workspaces are held once. Called before any upsert()
  // or remove() after that snapshot().
  void publish(std::shared_ptr<const manifest::ManifestSet> set);
  // Objects whose decoded form is held here rather than in the published
  // set (tests).
  size_t decoded_here() const;

 private:
  struct Decoded {
    ObjectMeta meta;
    // Unset: the object is the published set's Workspace at published_at.
    std::optional<manifest::LoadResult> loaded;
    size_t published_at = 0;
    // SHA-256 of the compact JSON of the document `loaded` was decoded
    // from (object_document): a new version is decoded again only when it
    // differs, and the document itself is not kept (about 600 bytes a
    // Workspace).
    std::string text_digest;
  };
  manifest::LoadResult loaded_of(const ObjectRef& ref, const Decoded& decoded) const;

  manifest::LoadOptions options_;
  std::map<ObjectRef, Decoded> objects_;
  std::shared_ptr<const manifest::ManifestSet> published_;
};

}  // namespace wsop::source
