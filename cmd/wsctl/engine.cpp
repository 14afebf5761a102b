#include "cmd/wsctl/engine.h"

#include <filesystem>
#include <future>
#include <iostream>
#include <set>

#include "cmd/wsctl/label_selector.h"
#include "controller/manifest/manifest_set.h"
#include "controller/reconcile/observed_json.h"
#include "controller/state/sqlite_state_store.h"

namespace wsop::cli {

bool is_configuration_failure(const Status& status) {
  switch (status.code()) {
    case Code::kUnauthorized:
    case Code::kForbidden:
    case Code::kInvalid: return true;
    default: return false;
  }
}

std::map<std::string, Status> list_each(reconcile::ProviderSet& providers,
                                        const std::set<std::string>& names, const ListScope& scope,
                                        const OnListed& on_listed) {
  std::vector<std::pair<std::string, std::future<Status>>> lists;
  for (const std::string& name : names) {
    auto provider = providers.get(name);
    if (!provider) continue;
    lists.emplace_back(name, std::async(std::launch::async, [&, name, provider] {
                         auto listed = provider->list(scope(name));
                         if (!listed) return listed.status();
                         on_listed(name, std::move(*listed));
                         return Status::ok();
                       }));
  }
  std::map<std::string, Status> failures;
  for (auto& [name, future] : lists) {
    Status status = future.get();
    if (!status.is_ok()) failures.emplace(name, std::move(status));
  }
  return failures;
}

void print_unusable(Io io, const std::string& command, const manifest::ManifestSet& set,
                    const std::vector<UnusableConfig>& unusable,
                    const std::map<std::string, size_t>& workspaces,
                    const std::string& consequence) {
  for (const auto& config : unusable) {
    auto n = workspaces.find(config.name);
    io.err << "wsctl " << command << ": ";
    if (const auto* declared = set.find_provider_config(config.name)) {
      io.err << declared->position.file << ":" << declared->position.at.line << ":"
             << declared->position.at.column << ": ";
    }
    io.err << "ProviderConfig \"" << config.name << "\" " << config.why.message();
    if (n != workspaces.end() && n->second > 0) {
      io.err << "; its " << n->second << " workspace(s) " << consequence;
    }
    io.err << "\n";
  }
}

std::unique_ptr<Engine> Engine::open(const EngineOptions& options, Io io, int& exit_code) {
  exit_code = kExitInvalid;
  manifest::LoadOptions load_options;
  load_options.credentials = options.credentials;
  load_options.provider_config_paths = options.provider_config_paths;
  manifest::LoadResult loaded = manifest::load_manifests(options.files, io.in, load_options);
  for (const auto& error : loaded.errors) io.err << error.to_string() << "\n";
  if (!loaded.ok()) {
    io.err << loaded.errors.size() << " error(s): nothing was applied\n";
    return nullptr;
  }
  for (const auto& warning : loaded.warnings) io.err << warning.to_string() << "\n";
  state::SqliteStateStoreOptions store_options;
  store_options.init = options.init_state;
  std::error_code ec;
  bool read_only = options.read_only && std::filesystem::exists(options.state_path, ec);
  auto store = read_only
                   ? state::open_sqlite_state_store_read_only(options.state_path, store_options)
                   : state::open_sqlite_state_store(options.state_path, store_options);
  if (!store) {
    io.err << "wsctl: " << store.status().message() << "\n";
    return nullptr;
  }
  auto engine = std::make_unique<Engine>();
  engine->options_ = options;
  engine->desired_ = std::make_shared<reconcile::DesiredState>(std::move(loaded.set), "cli");
  engine->store_ = std::move(*store);
  providers::ProviderContext context{options.instance_id, nullptr, options.credentials};
  context.cutoff = options.cutoff;
  engine->providers_ =
      std::make_unique<reconcile::ProviderSet>(providers::Registry::builtin(), context);
  // A provider that cannot be made is reported by the command that needs
  // it (set_aside_unusable), once.
  engine->providers_->update(engine->desired_->set().provider_configs);
  engine->set_events(nullptr);
  exit_code = kExitOk;
  return engine;
}

void Engine::set_events(reconcile::EventSink* sink) {
  events_ = sink;
  reconcile::ReconcileContext context;
  auto desired = desired_;
  context.desired = [desired] { return desired; };
  context.providers = providers_.get();
  context.store = store_.get();
  context.cache = &cache_;
  context.events = events_;
  context.options = options_.reconcile;
  context.options.plan.instance_id = options_.instance_id;
  reconciler_ = std::make_unique<reconcile::WorkspaceReconciler>(std::move(context));
}

std::map<std::string, Status> Engine::observe_all() {
  std::set<std::string> configs;
  for (const auto& ws : desired_->set().workspaces) configs.insert(ws.provider_config);
  if (auto records = store_->list({})) {
    for (const auto& r : *records) configs.insert(r.provider_config);
  }
  return list_each(
      *providers_, configs,
      [this](const std::string& name) { return desired_->workspaces_of(name); },
      [this](const std::string& name, std::vector<providers::RemoteWorkspace> listed) {
        cache_.put_list(name, std::move(listed));
      });
}

std::vector<UnusableConfig> Engine::set_aside_unusable(
    const std::map<std::string, Status>& failed_lists, bool only_configuration_failures) {
  std::set<std::string> names;
  for (const auto& config : desired_->set().provider_configs) names.insert(config.name);
  if (auto records = store_->list({})) {
    for (const auto& r : *records) names.insert(r.provider_config);
  }
  std::vector<UnusableConfig> out;
  for (const std::string& name : names) {
    Status why;
    auto failed = failed_lists.find(name);
    if (!providers_->get(name)) {
      why = providers_->error_of(name).with_context("cannot be used");
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
    providers_->mark_unavailable(name, why);
    out.push_back({name, std::move(why)});
  }
  return out;
}

void Engine::observe_from_state() {
  auto records = store_->list({});
  if (!records) return;
  for (const auto& r : *records) {
    if (!r.remote_id || r.observed_json.empty()) continue;
    if (auto remote = reconcile::remote_from_json(r.observed_json)) {
      cache_.put(r.provider_config, *remote);
    }
  }
}

std::vector<model::WorkspaceKey> Engine::keys(bool with_records) const {
  std::set<model::WorkspaceKey> keys;
  // Checked when the options were read (engine_options_from): parsed once here.
  auto selector = LabelSelector::parse(options_.selector);
  for (const auto& ws : desired_->set().workspaces) {
    if (selector && selector->matches(ws.labels)) keys.insert(ws.key());
  }
  if (with_records) {
    if (auto records = store_->list({})) {
      for (const auto& r : *records) keys.insert(r.key);
    }
  }
  return {keys.begin(), keys.end()};
}

}  // namespace wsop::cli
