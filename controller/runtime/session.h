// A one-shot session over the composition root (composition.h): what
// wsctl's commands that talk to providers (validate --check-credentials,
// diff, apply, delete, import, forget) do between reading their flags and
// printing, so that the policy of a run by hand lives beside the
// controller's and not in cmd/. One session is one run: it loads nothing
// itself (load_source gives the caller the errors to print), opens the state
// store, makes the providers of the source, observes the accounts, sets
// aside the ProviderConfigs that cannot be used, plans, and carries the plan
// out through the reconciler on the runner the controller uses too
// (ARCHITECTURE.md section 2's flow).
//
// Nothing here prints: failures come back as Status or as UnusableConfig,
// for the command to word. A session is used from the thread that made it,
// except interrupt(), which any thread (a signal's) may call at any time.
#pragma once

#include <chrono>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "controller/manifest/manifest_set.h"
#include "controller/plan/plan.h"
#include "controller/reconcile/desired_state.h"
#include "controller/reconcile/prune_guard.h"
#include "controller/runtime/composition.h"
#include "controller/runtime/runner.h"
#include "controller/runtime/work_queue.h"

namespace wsop::runtime {

struct SessionOptions {
  std::vector<std::string> files;                  // -f
  std::vector<std::string> provider_config_paths;  // --provider-configs
  StateStoreOptions state;                         // --state, --init; diff: read-only
  std::string instance_id = "default";             // --instance-id
  // Which workspaces of the source the run covers (-l); empty: all.
  std::function<bool(const std::map<std::string, std::string>& labels)> selects;
  // --credentials-dir, --credentials-env-pattern: checked when the source
  // loads and again by every provider.
  http::CredentialPolicy credentials;
  reconcile::ReconcileOptions reconcile;
  // apply's cutoff (--timeout, signals) for every provider client; null: none.
  std::shared_ptr<const http::Cutoff> cutoff;
  // The provider types; null: providers::Registry::builtin() (tests give
  // their own).
  const providers::Registry* registry = nullptr;
};

// A ProviderConfig a run cannot use at all: its provider could not be made,
// or its account could not be listed (with apply: for a reason retrying
// will not mend, such as a token unset or refused or a certificate not
// trusted). Its workspaces are left alone: planned as unknown, never
// applied, nothing recorded; the command reports it once, naming it.
struct UnusableConfig {
  std::string name;
  Status why;
};

// Whether a list's failure says the ProviderConfig itself is unusable
// (credentials, rights, TLS trust, a refused URL: kUnauthorized,
// kForbidden, kInvalid), not that the account was briefly out of reach.
bool is_configuration_failure(const Status& status);

// The source of options.files and options.provider_config_paths (stdin for
// "-"), validated: the caller prints its errors and warnings.
manifest::LoadResult load_source(const SessionOptions& options, std::istream& in);

// Unknown (unobserved) plans by ProviderConfig.
std::map<std::string, size_t> unknown_by_config(const plan::Plan& plan);

// Takes out of `plan` the unknown plans of the unusable configs (apply
// leaves them alone); returns how many.
size_t drop_unusable(plan::Plan& plan, const std::vector<UnusableConfig>& unusable);

// How a plan is carried out (Session::run).
struct RunOptions {
  int workers = 0;  // 0: workers_for() the source and the plan
  // Follow requeue-after while a provider provisions (apply --wait): the
  // run then ends when each is Ready, or at the deadline.
  bool follow_provisioning = false;
  // The default: a year on (a condition variable's wait does not take max()).
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::now() + std::chrono::hours(24 * 365);
  // Told of every event and every finished reconcile (apply's progress);
  // either may be null.
  reconcile::EventSink* events = nullptr;
  RunObserver* observer = nullptr;
};

struct RunFailure {
  model::WorkspaceKey key;
  std::string why;  // "Reason: message", or "not Ready: Reason message"
};

struct RunResult {
  bool idle = false;  // every key reconciled before the deadline or a stop
  // Whatever did not end Synced (or Ready, with follow_provisioning), in
  // the plan's order.
  std::vector<RunFailure> failures;
};

// What a request (delete, import, forget) did to one key.
struct RequestOutcome {
  Status status;  // the refusal or the failure; ok otherwise
  // Refused when planned, before anything was asked of a provider.
  bool refused = false;
  // Set when the request was carried out: deleted, or forgotten (per
  // deletionPolicy), with the record as it was.
  std::optional<reconcile::WorkspaceReconciler::RequestDone> done;
};

class Session {
 public:
  // Opens the state store of options.state and composes the parts over
  // `source`. A provider that cannot be made is not an error here: it is
  // reported by set_aside_unusable or check_accounts. Errors: the store's.
  static Outcome<std::unique_ptr<Session>> open(SessionOptions options,
                                                manifest::ManifestSet source);
  // The state store alone, with an empty source (`wsctl delete NAME`,
  // `wsctl forget`): a request that needs a manifest or a ProviderConfig is
  // refused for want of it. The store is opened for writing.
  static Outcome<std::unique_ptr<Session>> open_records(SessionOptions options);
  // The providers of `source` with no state store (`wsctl validate
  // --check-credentials`): only check_accounts may be called.
  static std::unique_ptr<Session> open_without_store(SessionOptions options,
                                                     manifest::ManifestSet source);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // One list per ProviderConfig in use (by a workspace of the source or a
  // record), concurrently, into the observed cache. Failures by name.
  std::map<std::string, Status> observe_all();
  // Terraform's -refresh=false: what the state store last observed, into
  // the cache, sending nothing to the providers.
  void observe_from_state();
  // The ProviderConfigs (of the source and of the records) this run cannot
  // use, by name: those whose provider could not be made ("cannot be
  // used"), and those of failed_lists: a configuration failure ("cannot be
  // used") always, any other ("could not be observed") unless
  // only_configuration_failures. Takes each out of use, so its workspaces
  // plan as unknown; records nothing.
  std::vector<UnusableConfig> set_aside_unusable(const std::map<std::string, Status>& failed_lists,
                                                 bool only_configuration_failures);
  // One list per ProviderConfig of the source, nothing kept: those whose
  // provider could not be made (in the source's order), then those whose
  // list failed ("cannot be used" or "could not be reached"), by name.
  std::vector<UnusableConfig> check_accounts();

  // Keys of the selected workspaces, plus every record's when with_records.
  std::vector<model::WorkspaceKey> keys(bool with_records) const;
  // The plan of every selected workspace, and with prune of every record.
  Outcome<plan::Plan> plan(bool prune);
  // Why the prune guard (reconcile/prune_guard.h) refuses this run, or
  // nullopt when it may prune. Errors: the store's, when what pruning would
  // remove cannot be counted.
  Outcome<std::optional<std::string>> prune_refusal(const reconcile::PruneGuardOptions& guard);
  // Carries out every item of `plan` through the reconciler on a Runner,
  // the items taking turns between ProviderConfigs, until the queue is idle,
  // the deadline passes or interrupt() is called.
  RunResult run(const plan::Plan& plan, const RunOptions& options);
  // `wsctl delete`: every key's request (plan/request.h: the owner check
  // included) is planned first. A refusal for want of what the command was
  // not given (kInvalid: a manifest, a ProviderConfig) is a usage error that
  // stops the whole command before anything is deleted: *usage_refused is
  // set and nothing is carried out. Otherwise the reconciler carries out
  // each key not refused, with its events. `report` is told of each key in
  // order, as it is done (index into keys); returns whether the usage
  // error stopped the command.
  bool delete_all(const std::vector<model::WorkspaceKey>& keys,
                  const std::function<void(size_t, const RequestOutcome&)>& report);
  // Adopts remote_id as key's remote workspace (`wsctl import`). Planned
  // first: a refusal (no manifest: kInvalid; the remote or the record is
  // another's) comes back before the provider is asked anything.
  RequestOutcome import(const model::WorkspaceKey& key, const std::string& remote_id);
  // Forgets each key's record, the remote untouched (`wsctl forget`);
  // `report` is told of each key in order, as it is done.
  void forget_all(const std::vector<model::WorkspaceKey>& keys,
                  const std::function<void(size_t, const RequestOutcome&)>& report);
  // Ends the work under way: no reconcile starts any more and the
  // providers' waits end. Safe from any thread; a run that starts later
  // stops at once.
  void interrupt();

  reconcile::WorkspaceReconciler& reconciler() { return parts_->reconciler(); }
  state::StateStore& store() { return parts_->store(); }
  reconcile::ProviderSet& providers() { return parts_->providers(); }
  reconcile::ObservedCache& cache() { return parts_->cache(); }
  const reconcile::DesiredState& desired() const { return *desired_; }

 private:
  Session(SessionOptions options, manifest::ManifestSet source,
          std::unique_ptr<state::StateStore> store);
  // Every record, or none when there is no store or it cannot be read.
  std::vector<state::WorkspaceRecord> records() const;

  SessionOptions options_;
  std::shared_ptr<const reconcile::DesiredState> desired_;
  std::unique_ptr<Composition> parts_;
  // What providers().update reported when the session was made.
  std::vector<std::pair<std::string, Status>> make_failures_;
  std::mutex interrupt_mu_;
  bool interrupted_ = false;      // guarded by interrupt_mu_
  WorkQueue* running_ = nullptr;  // guarded by interrupt_mu_: run()'s queue
};

}  // namespace wsop::runtime
