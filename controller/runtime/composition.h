// The one composition root (ARCHITECTURE.md section 2): from resolved
// options, the state store, the providers, the observed cache and the
// reconciler over them. wsctl's one-shot commands (session.h: validate
// --check-credentials, apply, diff, delete, import, forget) and the file-mode controller
// (manager.cpp) are made here, so that a command run by hand and the
// controller are wired alike: the instance id the owner check and the prune
// guard read, the credential policy every provider is made with, the events.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "controller/reconcile/reconciler.h"
#include "controller/state/state_store.h"
#include "providers/registry.h"

namespace wsop::runtime {

struct StateStoreOptions {
  std::string path = "./.wsctl/state.db";
  bool init = false;  // start a new store over an empty or tableless file
  // Open an existing store read-only, beside a controller or an apply that
  // holds it (a missing one is created, empty, as a writer would).
  bool read_only = false;
};

// The SQLite state store of the file and git modes.
Outcome<std::unique_ptr<state::StateStore>> open_state_store(const StateStoreOptions& options);

struct CompositionOptions {
  // What every provider is made with: context.instance_id is this operator
  // instance (the owner check, the prune guard, Cadenya's ownership label);
  // also the credential policy, the request observer (the controller's
  // metrics) and the cutoff (apply's --timeout).
  providers::ProviderContext context;
  // reconcile.plan.instance_id is set from context.instance_id.
  reconcile::ReconcileOptions reconcile;
  // The provider types to make providers of; null: Registry::builtin(). A
  // build that registers more types passes its own (tests/extension/); it
  // must outlive the Composition.
  const providers::Registry* registry = nullptr;
};

class Composition {
 public:
  using DesiredSource = std::function<std::shared_ptr<const reconcile::DesiredState>()>;

  // `desired`: the revision each reconcile reads (the controller's current
  // one, or a one-shot command's source). `events` may be null. `store` may
  // be null for parts that only list accounts (session.h's
  // open_without_store): then store() must not be called, nor anything
  // reconciled.
  Composition(CompositionOptions options, std::unique_ptr<state::StateStore> store,
              DesiredSource desired, reconcile::EventSink* events = nullptr);
  Composition(const Composition&) = delete;
  Composition& operator=(const Composition&) = delete;

  // Another listener of the reconciler's events: the reconciler is made
  // again, so call it before any reconcile starts.
  void set_events(reconcile::EventSink* events);

  const CompositionOptions& options() const { return options_; }
  const std::string& instance_id() const { return options_.context.instance_id; }
  bool has_store() const { return store_ != nullptr; }
  state::StateStore& store() { return *store_; }
  reconcile::ProviderSet& providers() { return *providers_; }
  reconcile::ObservedCache& cache() { return cache_; }
  reconcile::WorkspaceReconciler& reconciler() { return *reconciler_; }

 private:
  CompositionOptions options_;
  DesiredSource desired_;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<reconcile::ProviderSet> providers_;
  reconcile::ObservedCache cache_;
  std::unique_ptr<reconcile::WorkspaceReconciler> reconciler_;
};

}  // namespace wsop::runtime
