#include "controller/runtime/composition.h"

#include <filesystem>
#include <system_error>

#include "controller/state/sqlite_state_store.h"

namespace wsop::runtime {

Outcome<std::unique_ptr<state::StateStore>> open_state_store(const StateStoreOptions& options) {
  state::SqliteStateStoreOptions store_options;
  store_options.init = options.init;
  std::error_code ec;
  bool read_only = options.read_only && std::filesystem::exists(options.path, ec);
  return read_only ? state::open_sqlite_state_store_read_only(options.path, store_options)
                   : state::open_sqlite_state_store(options.path, store_options);
}

Composition::Composition(CompositionOptions options, std::unique_ptr<state::StateStore> store,
                         DesiredSource desired, reconcile::EventSink* events)
    : options_(std::move(options)), desired_(std::move(desired)), store_(std::move(store)) {
  options_.reconcile.plan.instance_id = options_.context.instance_id;
  providers_ = std::make_unique<reconcile::ProviderSet>(
      options_.registry ? *options_.registry : providers::Registry::builtin(), options_.context);
  set_events(events);
}

void Composition::set_events(reconcile::EventSink* events) {
  reconcile::ReconcileContext context;
  context.desired = desired_;
  context.providers = providers_.get();
  context.store = store_.get();
  context.cache = &cache_;
  context.events = events;
  context.options = options_.reconcile;
  reconciler_ = std::make_unique<reconcile::WorkspaceReconciler>(std::move(context));
}

}  // namespace wsop::runtime
