// What a person asks of one named workspace outside the source's
// convergence: `wsctl delete`, `wsctl forget`, `wsctl import`. Planned here
// as plan_workspace plans convergence (pure, nothing read or written), and
// carried out by the reconciler (WorkspaceReconciler::carry_out) with the
// actions, events and owner check of a reconcile: a delete is kDelete, a
// forget kOrphan, an import kAdopt, whoever asks.
#pragma once

#include <string>

#include "common/status.h"
#include "controller/plan/plan.h"

namespace wsop::plan {

enum class RequestKind {
  kDelete,  // delete the remote (per deletionPolicy) and drop the record
  kForget,  // drop the record, keep the remote
  kImport,  // adopt an existing remote workspace under a manifest
};

struct Request {
  RequestKind kind = RequestKind::kDelete;
  std::string import_id;  // kImport: the remote workspace to adopt
};

// What a request's plan depends on besides the manifest and the record,
// gathered by the reconciler.
struct RequestFacts {
  // The source defines this ProviderConfig (the record's; the manifest's
  // for an import). Credentials live in its manifest, never in the state
  // store: a remote delete needs it.
  bool provider_config_defined = false;
  // kImport: the record of another key that holds import_id already, if
  // any, and whether its manifest is still in the source.
  const state::WorkspaceRecord* import_holder = nullptr;
  bool holder_in_source = false;
};

// The plan of `request` for one workspace: kDelete (the remote, then the
// record), kOrphan (the record only), or kAdopt (moved_from set when the
// import takes over the record of a renamed manifest). Or why not, by code:
//   kNotFound  nothing is managed under that key (delete, forget);
//   kConflict  paused, a create's outcome unknown, another instance's
//              record, or the remote already managed by a manifest in the
//              source: leave it alone;
//   kInvalid   the request needs what the command was not given (a
//              ProviderConfig, a manifest): a usage error that stops the
//              command before anything is done.
// options.instance_id is the owner check: a record of another instance is
// never deleted nor taken over.
// desired: the manifest of `key` in the source given (null when none).
Outcome<WorkspacePlan> plan_request(const Request& request, const model::WorkspaceKey& key,
                                    const model::Workspace* desired,
                                    const state::WorkspaceRecord* record, const RequestFacts& facts,
                                    const PlanOptions& options);

}  // namespace wsop::plan
