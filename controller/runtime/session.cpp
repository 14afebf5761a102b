#include "controller/runtime/session.h"

#include <algorithm>

#include "controller/reconcile/observed_json.h"
#include "controller/runtime/controller_parts.h"
#include "controller/runtime/worker_sizing.h"

namespace wsop::runtime {

bool is_configuration_failure(const Status& status) {
  switch (status.code()) {
    case Code::kUnauthorized:
    case Code::kForbidden:
    case Code::kInvalid: return true;
    default: return false;
  }
}

manifest::LoadResult load_source(const SessionOptions& options, std::istream& in) {
  manifest::LoadOptions load_options;
  load_options.credentials = options.credentials;
  load_options.provider_config_paths = options.provider_config_paths;
  return manifest::load_manifests(options.files, in, load_options);
}

std::map<std::string, size_t> unknown_by_config(const plan::Plan& plan) {
  std::map<std::string, size_t> out;
  for (const auto& item : plan.items) {
    if (item.unobserved) ++out[item.provider_config];
  }
  return out;
}

size_t drop_unusable(plan::Plan& plan, const std::vector<UnusableConfig>& unusable) {
  std::set<std::string> names;
  for (const auto& config : unusable) names.insert(config.name);
  return std::erase_if(plan.items, [&names](const plan::WorkspacePlan& item) {
    return item.unobserved && names.count(item.provider_config) > 0;
  });
}

Session::Session(SessionOptions options, manifest::ManifestSet source,
                 std::unique_ptr<state::StateStore> store)
    : options_(std::move(options)),
      desired_(std::make_shared<reconcile::DesiredState>(std::move(source), "cli")) {
  CompositionOptions composition;
  composition.context =
      providers::ProviderContext{options_.instance_id, nullptr, options_.credentials};
  composition.context.cutoff = options_.cutoff;
  composition.reconcile = options_.reconcile;
  composition.registry = options_.registry;
  auto snapshot = desired_;
  parts_ = std::make_unique<Composition>(std::move(composition), std::move(store),
                                         [snapshot] { return snapshot; });
  make_failures_ = parts_->providers().update(snapshot->set().provider_configs);
}

Session::~Session() = default;

Outcome<std::unique_ptr<Session>> Session::open(SessionOptions options,
                                                manifest::ManifestSet source) {
  auto store = open_state_store(options.state);
  if (!store) return store.status();
  return std::unique_ptr<Session>(
      new Session(std::move(options), std::move(source), std::move(*store)));
}

Outcome<std::unique_ptr<Session>> Session::open_records(SessionOptions options) {
  options.state.read_only = false;
  return open(std::move(options), manifest::ManifestSet{});
}

std::unique_ptr<Session> Session::open_without_store(SessionOptions options,
                                                     manifest::ManifestSet source) {
  return std::unique_ptr<Session>(new Session(std::move(options), std::move(source), nullptr));
}

std::vector<state::WorkspaceRecord> Session::records() const {
  if (!parts_->has_store()) return {};
  auto listed = parts_->store().list({});
  return listed ? std::move(*listed) : std::vector<state::WorkspaceRecord>{};
}

std::map<std::string, Status> Session::observe_all() {
  std::set<std::string> configs;
  for (const auto& ws : desired_->set().workspaces) configs.insert(ws.provider_config);
  for (const auto& r : records()) configs.insert(r.provider_config);
  auto& cache = parts_->cache();
  auto desired = desired_;
  return list_accounts(
      providers(), {configs.begin(), configs.end()}, cache.clock(),
      [desired](const std::string& name) { return desired->workspaces_of(name); },
      [&cache](const std::string& name, std::vector<providers::RemoteWorkspace> listed,
               reconcile::ObservedCache::TimePoint started) {
        cache.put_list(name, std::move(listed), started);
      });
}

void Session::observe_from_state() {
  for (const auto& r : records()) {
    if (!r.remote_id || r.observed_json.empty()) continue;
    if (auto remote = reconcile::remote_from_json(r.observed_json)) {
      cache().put(r.provider_config, *remote);
    }
  }
}

std::vector<UnusableConfig> Session::set_aside_unusable(
    const std::map<std::string, Status>& failed_lists, bool only_configuration_failures) {
  std::set<std::string> names;
  for (const auto& config : desired_->set().provider_configs) names.insert(config.name);
  for (const auto& r : records()) names.insert(r.provider_config);
  std::vector<UnusableConfig> out;
  for (const std::string& name : names) {
    Status why;
    auto failed = failed_lists.find(name);
    if (!providers().get(name)) {
      why = providers().error_of(name).with_context("cannot be used");
    } else if (failed == failed_lists.end()) {
      continue;
    } else if (is_configuration_failure(failed->second)) {
      why = failed->second.with_context("cannot be used");
    } else if (!only_configuration_failures) {
      why = failed->second.with_context("could not be observed");
    } else {
      continue;
    }
    // Its workspaces' plans say why they are unknown (reconciler.h).
    providers().mark_unavailable(name, why);
    out.push_back({name, std::move(why)});
  }
  return out;
}

std::vector<UnusableConfig> Session::check_accounts() {
  std::vector<UnusableConfig> out;
  for (const auto& [name, status] : make_failures_) {
    out.push_back({name, status.with_context("cannot be used")});
  }
  std::vector<std::string> names;
  for (const auto& config : desired_->set().provider_configs) names.push_back(config.name);
  auto desired = desired_;
  auto failed = list_accounts(
      providers(), names, real_clock(),
      [desired](const std::string& name) { return desired->workspaces_of(name); },
      [](const std::string&, std::vector<providers::RemoteWorkspace>,
         reconcile::ObservedCache::TimePoint) {});
  for (auto& [name, status] : failed) {
    out.push_back(
        {name, status.with_context(is_configuration_failure(status) ? "cannot be used"
                                                                    : "could not be reached")});
  }
  providers().stop_all();
  return out;
}

std::vector<model::WorkspaceKey> Session::keys(bool with_records) const {
  std::set<model::WorkspaceKey> keys;
  for (const auto& ws : desired_->set().workspaces) {
    if (!options_.selects || options_.selects(ws.labels)) keys.insert(ws.key());
  }
  if (with_records) {
    for (const auto& r : records()) keys.insert(r.key);
  }
  return {keys.begin(), keys.end()};
}

Outcome<plan::Plan> Session::plan(bool prune) {
  plan::Plan out;
  for (const auto& key : keys(prune)) {
    auto item = reconciler().plan(key);
    if (!item) return item.status();
    if (!prune && !desired_->find(key)) continue;
    out.items.push_back(std::move(*item));
  }
  return out;
}

Outcome<std::optional<std::string>> Session::prune_refusal(
    const reconcile::PruneGuardOptions& guard) {
  auto count = reconcile::count_prune(store(), *desired_, parts_->instance_id());
  if (!count) return count.status();
  return reconcile::prune_refusal(*count, guard);
}

namespace {

// The plan's items taking turns between ProviderConfigs. In the plan's
// order (by key) every worker would wait on the first ProviderConfig's
// bucket while the others sat idle: the providers would be served one after
// another instead of at once.
std::vector<const plan::WorkspacePlan*> interleaved_by_provider_config(const plan::Plan& plan) {
  std::map<std::string, std::vector<const plan::WorkspacePlan*>> by_config;
  for (const auto& item : plan.items) by_config[item.provider_config].push_back(&item);
  std::vector<const plan::WorkspacePlan*> out;
  out.reserve(plan.items.size());
  for (size_t turn = 0; out.size() < plan.items.size(); ++turn) {
    for (const auto& [config, items] : by_config) {
      if (turn < items.size()) out.push_back(items[turn]);
    }
  }
  return out;
}

}  // namespace

RunResult Session::run(const plan::Plan& plan, const RunOptions& options) {
  const int workers =
      options.workers > 0 ? options.workers : workers_for(desired_->set(), plan.items.size());
  parts_->set_events(options.events);
  WorkQueue queue({std::chrono::milliseconds(500), std::chrono::seconds(10), 0.1});
  Runner runner(reconciler(), queue,
                {workers, /*max_failures=*/3, /*follow_provisioning=*/options.follow_provisioning},
                options.observer);
  // The plan is a sweep: with follow_provisioning, a provisioning
  // workspace's next poll goes ahead of the creates still waiting for the
  // provider's rate.
  for (const auto* item : interleaved_by_provider_config(plan)) {
    queue.add(item->key.to_string(), Priority::kLow);
  }
  {
    std::lock_guard lock(interrupt_mu_);
    running_ = &queue;
    if (interrupted_) queue.shut_down();
  }
  runner.start();
  RunResult result;
  result.idle = queue.wait_idle(options.deadline);
  // Past the deadline the clients start nothing (the cutoff): the
  // reconciles under way end within the grace, recording what they met.
  runner.stop();
  {
    std::lock_guard lock(interrupt_mu_);
    running_ = nullptr;
  }
  for (const auto& item : plan.items) {
    auto record = store().get(item.key);
    if (!record || !*record) continue;
    const auto& c = (*record)->conditions;
    if (c.synced.status == model::ConditionStatus::kFalse) {
      result.failures.push_back({item.key, c.synced.reason + ": " + c.synced.message});
    } else if (options.follow_provisioning && c.ready.status != model::ConditionStatus::kTrue) {
      result.failures.push_back({item.key, "not Ready: " + c.ready.reason + " " + c.ready.message});
    }
  }
  return result;
}

namespace {

RequestOutcome carried_out(Outcome<reconcile::WorkspaceReconciler::RequestDone> done) {
  RequestOutcome outcome;
  if (done) {
    outcome.done = std::move(*done);
  } else {
    outcome.status = done.status();
  }
  return outcome;
}

}  // namespace

bool Session::delete_all(const std::vector<model::WorkspaceKey>& keys,
                         const std::function<void(size_t, const RequestOutcome&)>& report) {
  const plan::Request request{plan::RequestKind::kDelete, ""};
  std::vector<RequestOutcome> refusals(keys.size());
  bool usage = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto planned = reconciler().plan_request(keys[i], request);
    if (planned) continue;
    refusals[i].status = planned.status();
    refusals[i].refused = true;
    usage = usage || planned.status().code() == Code::kInvalid;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    bool go = refusals[i].status.is_ok() && !usage;
    report(i, go ? carried_out(reconciler().carry_out(keys[i], request)) : refusals[i]);
  }
  return usage;
}

RequestOutcome Session::import(const model::WorkspaceKey& key, const std::string& remote_id) {
  const plan::Request request{plan::RequestKind::kImport, remote_id};
  if (auto planned = reconciler().plan_request(key, request); !planned) {
    return {planned.status(), /*refused=*/true, std::nullopt};
  }
  return carried_out(reconciler().carry_out(key, request));
}

void Session::forget_all(const std::vector<model::WorkspaceKey>& keys,
                         const std::function<void(size_t, const RequestOutcome&)>& report) {
  for (size_t i = 0; i < keys.size(); ++i) {
    report(i, carried_out(reconciler().carry_out(keys[i], {plan::RequestKind::kForget, ""})));
  }
}

void Session::interrupt() {
  std::lock_guard lock(interrupt_mu_);
  interrupted_ = true;
  if (running_) running_->shut_down();
  providers().stop_all();
}

}  // namespace wsop::runtime
