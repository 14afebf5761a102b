// The per-workspace reconcile step (ARCHITECTURE.md sections 4 and 5), as
// controller-runtime shapes it: one method that takes a key and brings that
// workspace one step closer to its manifest. Queueing, retries, workers and
// metrics wrap it from outside (controller/runtime/).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "common/clock.h"
#include "common/status.h"
#include "controller/plan/plan.h"
#include "controller/plan/request.h"
#include "controller/reconcile/create_gate.h"
#include "controller/reconcile/desired_state.h"
#include "controller/reconcile/events.h"
#include "controller/reconcile/observed_cache.h"
#include "controller/reconcile/provider_set.h"
#include "controller/state/state_store.h"

namespace wsop::reconcile {

struct Result {
  std::optional<std::chrono::milliseconds> requeue_after;  // look again after this long
  bool provisioning = false;  // the requeue waits for the provider to finish provisioning
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Brings one workspace's remote state one step closer to its desired
  // state. An error means "retry with backoff".
  virtual Outcome<Result> reconcile(const model::WorkspaceKey& key) = 0;
};

struct ReconcileOptions {
  plan::PlanOptions plan;
  // How old a cached observation may be before it is read again.
  std::chrono::milliseconds max_observation_age{std::chrono::minutes(10)};
  // Poll interval while a workspace provisions.
  // One shared list per interval (ObservedCache::refresh), whatever the
  // number of workspaces provisioning: a second costs 1% of 100 requests/s.
  std::chrono::milliseconds provisioning_poll{std::chrono::seconds(1)};
  // The interval instead once the config has had no write for a full
  // provisioning_poll: the creates are sent and the budget is spare.
  std::chrono::milliseconds provisioning_poll_quiet{std::chrono::milliseconds(250)};
  // Retry interval after an ambiguous create (to resolve the journal).
  std::chrono::milliseconds resolve_delay{std::chrono::seconds(1)};
  // Kubernetes mode: a lost create that needs a person names the `kubectl
  // annotate` of the external-name that adopts the right workspace, not
  // `wsctl import` (there is no local store to import into).
  bool kubectl_hints = false;
};

struct ReconcileContext {
  std::function<std::shared_ptr<const DesiredState>()> desired;
  ProviderSet* providers = nullptr;
  state::StateStore* store = nullptr;
  ObservedCache* cache = nullptr;
  EventSink* events = nullptr;  // may be null
  ReconcileOptions options;
  // Every "now" the reconciler reads: wall time for conditions and create
  // journals, steady time for poll periods, compared with the cache's
  // times, so the cache must read the same clock.
  const Clock* clock = &real_clock();
};

// The reconciler of Workspaces against the providers and the state store.
class WorkspaceReconciler : public Reconciler {
 public:
  explicit WorkspaceReconciler(ReconcileContext context)
      : ctx_(std::move(context)),
        gate_(ctx_.store ? std::make_unique<CreateGate>(*ctx_.store) : nullptr) {}
  Outcome<Result> reconcile(const model::WorkspaceKey& key) override;

  // The plan for one workspace as reconcile() would carry it out now,
  // without writing anything (wsctl diff).
  Outcome<plan::WorkspacePlan> plan(const model::WorkspaceKey& key);

  // A request for one workspace (wsctl delete, forget, import:
  // controller/plan/request.h): its plan as carry_out() would carry it out
  // now, nothing written; the Status of a refusal says why (by code).
  Outcome<plan::WorkspacePlan> plan_request(const model::WorkspaceKey& key,
                                            const plan::Request& request);
  // Plans the request again and carries it out as a reconcile would, with
  // its events (Deleted, Forgotten, Moved, Adopted; Failed, with Synced
  // False on the record, when the provider fails). `before`: the record as
  // it was, for the caller's report.
  struct RequestDone {
    plan::WorkspacePlan plan;
    std::optional<state::WorkspaceRecord> before;
  };
  Outcome<RequestDone> carry_out(const model::WorkspaceKey& key, const plan::Request& request);

 private:
  struct Step;  // everything one reconcile knows (reconciler.cpp)
  // reconcile() without its safety net. `reported`: set once the error (if
  // any) is in the workspace's condition and an event (failed, blocked).
  Outcome<Result> reconcile_step(const model::WorkspaceKey& key, bool& reported);
  // An error that left no condition and no event (the state store failed,
  // or an exception): logged as an event and, when the store allows, put
  // in the Synced condition, so that no failure is silent.
  void report(const model::WorkspaceKey& key, const Status& status);
  // Stores the Synced condition a failure set. "" once stored; otherwise a
  // clause for the failure's event, so that a store refusing it is not silent.
  std::string store_failure_condition(const model::WorkspaceKey& key,
                                      const model::Conditions& conditions);
  // may_defer: a provisioning poll may come back later (Step::poll_deferred)
  // rather than wait for a list another worker is sending.
  Outcome<Step> prepare(const model::WorkspaceKey& key, bool may_defer);
  // The key's manifest (in the current snapshot) and record: the start of
  // prepare() and of prepare_request().
  Outcome<Step> read_step(const model::WorkspaceKey& key) const;
  Outcome<std::vector<providers::RemoteWorkspace>> list_scope(providers::Provider& provider,
                                                              const std::string& config) const;
  plan::Observation observe(const state::WorkspaceRecord& record, providers::Provider& provider,
                            const std::string& provider_config,
                            std::optional<std::chrono::milliseconds>* deferred);
  Outcome<Result> execute(Step& step);
  Status record_paused(Step& step);
  std::string synced_message(const Step& step) const;
  // The record `step` settles on once `remote` is observed (changed: the
  // reconcile wrote to the provider), as of `now`; settle() stores it when
  // it differs. A create hands it to complete_create, so both are one write.
  state::WorkspaceRecord settled_record(const Step& step, state::WorkspaceRecord record,
                                        const providers::RemoteWorkspace& remote, bool changed,
                                        state::Time now) const;
  Outcome<Result> settle(Step& step, const providers::RemoteWorkspace& remote, bool changed,
                         std::optional<state::Time> now = std::nullopt);
  std::chrono::milliseconds provisioning_poll(const std::string& provider_config) const;
  std::chrono::milliseconds next_poll(const Step& step) const;
  Outcome<Result> create(Step& step);
  Outcome<providers::RemoteWorkspace> send_create(Step& step);
  // What a first create finds already there (first_create.cpp).
  struct Existing {
    std::optional<providers::RemoteWorkspace> adopt;  // the one to adopt instead
    bool already_exists = false;                      // refuse the create: note says why
    std::string note;
  };
  Outcome<Existing> find_existing(const Step& step, const providers::ExistingIdentity& identity);
  Outcome<std::optional<Result>> check_existing(Step& step);
  Status plan_existing(Step& step);
  plan::WorkspacePlan unusable_plan(Step& step) const;
  // A rename (move.cpp): the record this manifest takes over, or the
  // manifest that takes over this record.
  Status find_move(Step& step);
  void plan_move(Step& step) const;
  Outcome<Result> move(Step& step);
  Outcome<Result> adopt_existing(Step& step, const providers::RemoteWorkspace& found,
                                 const std::string& why);
  Outcome<Result> wait_for_turn(Step& step, const model::WorkspaceKey& holder);
  Outcome<Result> adopt(Step& step);
  Outcome<Result> resolve_pending(Step& step);
  Outcome<Result> update(Step& step);
  Outcome<Result> replace(Step& step);
  Outcome<Result> remove(Step& step);
  // A request's step (carry_out.cpp): the record, the provider, the plan.
  Outcome<Step> prepare_request(const model::WorkspaceKey& key, const plan::Request& request);
  Outcome<Result> import_remote(Step& step, const std::string& id);
  Outcome<Result> forget(Step& step);
  Outcome<Result> blocked(Step& step, const std::string& reason, EventType type);
  Outcome<Result> failed(Step& step, const Status& status, const std::string& reason);
  void emit(EventType type, const Step& step, const std::string& message);
  state::WorkspaceRecord new_record(const Step& step) const;

  ReconcileContext ctx_;
  std::unique_ptr<CreateGate> gate_;  // one unresolved create per request
};

}  // namespace wsop::reconcile
