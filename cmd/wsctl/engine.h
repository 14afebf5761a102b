// What the commands that talk to providers share: the loaded source, and
// the parts the controller is made of too (controller/runtime/composition.h:
// the state store, the providers, the reconciler over them), with one list
// per ProviderConfig to observe (ARCHITECTURE.md section 2's flow).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cmd/wsctl/commands.h"
#include "controller/reconcile/reconciler.h"
#include "controller/runtime/composition.h"
#include "controller/state/state_store.h"
#include "providers/http/credential_policy.h"

namespace wsop::cli {

struct EngineOptions {
  std::vector<std::string> files;                  // -f
  std::vector<std::string> provider_config_paths;  // --provider-configs
  std::string state_path = "./.wsctl/state.db";
  bool init_state = false;  // --init: start a new store over an empty or tableless file
  // diff: an existing store is opened read-only, beside a controller or an
  // apply that holds it (a missing one is created, empty, as before).
  bool read_only = false;
  std::string instance_id = "default";
  std::string selector;  // -l k=v,k2=v2
  // --credentials-dir, --credentials-env-pattern: checked when the source
  // loads (exit 2 with the field's position) and again by every provider.
  http::CredentialPolicy credentials;
  reconcile::ReconcileOptions reconcile;
  // apply's cutoff (--timeout, signals: apply_stop.h) for every provider
  // client; null: none.
  std::shared_ptr<const http::Cutoff> cutoff;
};

// A ProviderConfig a run cannot use at all: its provider could not be made,
// or its account could not be listed (with apply: for a reason retrying
// will not mend, such as a token unset or refused or a certificate not
// trusted). Its workspaces are left alone: planned as unknown, never
// applied, nothing recorded; the run reports it once, naming it.
struct UnusableConfig {
  std::string name;
  Status why;
};

// Whether a list's failure says the ProviderConfig itself is unusable
// (credentials, rights, TLS trust, a refused URL), not that the account
// was briefly out of reach.
bool is_configuration_failure(const Status& status);

// One list per named ProviderConfig, concurrently (runtime::list_accounts,
// as the controller lists); failures by name.
// `scope` gives the desired workspaces a list must cover (Provider::list).
using ListScope = std::function<std::vector<const model::Workspace*>(const std::string&)>;
using OnListed = std::function<void(const std::string&, std::vector<providers::RemoteWorkspace>)>;
std::map<std::string, Status> list_each(reconcile::ProviderSet& providers,
                                        const std::set<std::string>& names, const ListScope& scope,
                                        const OnListed& on_listed);

// Prints one line per unusable config: "wsctl CMD: FILE:L:C: ProviderConfig
// "x" cannot be used: WHY; its N workspace(s) CONSEQUENCE".
// FILE:L:C is the position of the ProviderConfig's manifest in `set`, when
// it has one there.
void print_unusable(Io io, const std::string& command, const manifest::ManifestSet& set,
                    const std::vector<UnusableConfig>& unusable,
                    const std::map<std::string, size_t>& workspaces,
                    const std::string& consequence);

class Engine {
 public:
  // Loads and validates the source (errors printed to io.err: exit 2),
  // opens the state store and makes the providers.
  static std::unique_ptr<Engine> open(const EngineOptions& options, Io io, int& exit_code);
  // The state store alone, with an empty source (`wsctl delete NAME`,
  // `wsctl forget`): a request that needs a manifest or a ProviderConfig is
  // refused for want of it. Errors are printed after "wsctl COMMAND: ".
  static std::unique_ptr<Engine> open_records(const EngineOptions& options,
                                              const std::string& command, Io io, int& exit_code);

  // One list per ProviderConfig in use, concurrently, into the cache.
  // Failures are returned by ProviderConfig name, not printed.
  std::map<std::string, Status> observe_all();
  // The ProviderConfigs this run cannot use: those whose provider could not
  // be made, and those of failed_lists (all of them, or only configuration
  // failures). Takes each out of use, so its workspaces plan as unknown.
  std::vector<UnusableConfig> set_aside_unusable(const std::map<std::string, Status>& failed_lists,
                                                 bool only_configuration_failures);
  // Terraform's -refresh=false: plan against what the state store last
  // observed, sending nothing to the providers.
  void observe_from_state();

  // Keys of the selected manifests, plus every record when with_records.
  std::vector<model::WorkspaceKey> keys(bool with_records) const;

  reconcile::WorkspaceReconciler& reconciler() { return parts_->reconciler(); }
  state::StateStore& store() { return parts_->store(); }
  reconcile::ProviderSet& providers() { return parts_->providers(); }
  const reconcile::DesiredState& desired() const { return *desired_; }
  reconcile::ObservedCache& cache() { return parts_->cache(); }
  void set_events(reconcile::EventSink* sink) { parts_->set_events(sink); }

 private:
  // The parts over `desired` and an opened store.
  static std::unique_ptr<Engine> compose(const EngineOptions& options,
                                         std::shared_ptr<const reconcile::DesiredState> desired,
                                         std::unique_ptr<state::StateStore> store);

  EngineOptions options_;
  std::shared_ptr<const reconcile::DesiredState> desired_;
  std::unique_ptr<runtime::Composition> parts_;
};

}  // namespace wsop::cli
