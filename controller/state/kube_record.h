// Where a WorkspaceRecord lives in the kubernetes mode: on its Workspace
// object, so that the controller keeps no local state and any replica that
// wins the Lease can carry on a create journal (ARCHITECTURE.md section 4).
//   - metadata.annotations["workspace-operator.io/external-name"]: the remote
//     id, as Crossplane keeps it (set by a user, it asks for an adoption);
//   - metadata.annotations["workspace-operator.io/record"]: the record as
//     compact JSON (remote id, owner, origin, create journal, policies,
//     digests), versioned ("v": 1). The remote id is
//     read from here: an external-name that differs from it (or on an
//     object whose record has none) is the user's request, as in file mode;
//     one that equals it is the operator's mirror of it;
//   - status: conditions (Ready, Synced, with observedGeneration),
//     observedGeneration and atProvider (remote id, phase, the provider's
//     facts), for kubectl and Argo CD / Flux health checks; and the last
//     observation as the text the reconciler compares with
//     (status.observation). What changes as the provider moves on (the
//     observation, the conditions) is in the status alone, so that it costs
//     one write; the journal and identity, in the annotations, change only
//     when the record's own facts do. A record written when the
//     observation was still in the annotation ("observed") reads the same.
// Pure functions: the store that sends these (with a resourceVersion
// precondition) is built on them. A record read back equals the one
// written (times keep milliseconds), except that an object being deleted
// is paused exactly when its own paused annotation says "true" (the user
// unpauses a deleting object there, as they cannot apply it again).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "controller/state/state_store.h"

namespace wsop::state {

inline constexpr const char* kRecordAnnotation = "workspace-operator.io/record";

// The annotations that hold `record`, as a merge patch of
// metadata.annotations (an unset remote id removes external-name).
nlohmann::json record_annotations(const WorkspaceRecord& record);
// The merge patch of metadata.annotations that drops the record (the
// object stays; the remote is not touched).
nlohmann::json removed_record_annotations();
// The status subresource's content for `record` on an object of
// `generation` (what the record was last reconciled against).
nlohmann::json record_status(const WorkspaceRecord& record, std::int64_t generation);

// The record a Workspace object holds; none when it has no record
// annotation (an external-name alone is a request to adopt, not a record).
// kInvalid, naming the object and field, for a damaged annotation.
Outcome<std::optional<WorkspaceRecord>> record_of(const nlohmann::json& object);

}  // namespace wsop::state
