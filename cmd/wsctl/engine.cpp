#include "cmd/wsctl/engine.h"

#include <iostream>
#include <set>

#include "cmd/wsctl/label_selector.h"
#include "controller/manifest/manifest_set.h"
#include "controller/reconcile/observed_json.h"
#include "controller/runtime/controller_parts.h"

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
  return runtime::list_accounts(
      providers, {names.begin(), names.end()}, real_clock(), scope,
      [&on_listed](const std::string& name, std::vector<providers::RemoteWorkspace> listed,
                   reconcile::ObservedCache::TimePoint) { on_listed(name, std::move(listed)); });
}

void print_unusable(Io io, const std::string& command, const manifest::ManifestSet& set,
                    const std::vector<UnusableConfig>& unusable,
                    const std::map<std::string, size_t>& workspaces,
                    const std::string& consequence) {
  for (const auto& config : unusable) {
    auto n = workspaces.find(config.name);
    io.err << "wsctl " << command << ": ";
    const auto* declared = set.find_provider_config(config.name);
    if (const manifest::DocumentSource* source = declared ? set.source_of(*declared) : nullptr) {
      io.err << source->file_name() << ":" << source->start.line << ":" << source->start.column
             << ": ";
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
  auto store =
      runtime::open_state_store({options.state_path, options.init_state, options.read_only});
  if (!store) {
    io.err << "wsctl: " << store.status().message() << "\n";
    return nullptr;
  }
  auto desired = std::make_shared<reconcile::DesiredState>(std::move(loaded.set), "cli");
  // A provider that cannot be made is reported by the command that needs
  // it (set_aside_unusable), once.
  auto engine = compose(options, std::move(desired), std::move(*store));
  exit_code = kExitOk;
  return engine;
}

std::unique_ptr<Engine> Engine::open_records(const EngineOptions& options,
                                             const std::string& command, Io io, int& exit_code) {
  exit_code = kExitInvalid;
  auto store = runtime::open_state_store({options.state_path, options.init_state, false});
  if (!store) {
    io.err << "wsctl " << command << ": " << store.status().message() << "\n";
    return nullptr;
  }
  auto empty = std::make_shared<reconcile::DesiredState>(manifest::ManifestSet{}, "cli");
  exit_code = kExitOk;
  return compose(options, std::move(empty), std::move(*store));
}

std::unique_ptr<Engine> Engine::compose(const EngineOptions& options,
                                        std::shared_ptr<const reconcile::DesiredState> desired,
                                        std::unique_ptr<state::StateStore> store) {
  auto engine = std::make_unique<Engine>();
  engine->options_ = options;
  engine->desired_ = std::move(desired);
  runtime::CompositionOptions composition;
  composition.context =
      providers::ProviderContext{options.instance_id, nullptr, options.credentials};
  composition.context.cutoff = options.cutoff;
  composition.reconcile = options.reconcile;
  auto snapshot = engine->desired_;
  engine->parts_ = std::make_unique<runtime::Composition>(std::move(composition), std::move(store),
                                                          [snapshot] { return snapshot; });
  engine->parts_->providers().update(snapshot->set().provider_configs);
  return engine;
}

std::map<std::string, Status> Engine::observe_all() {
  std::set<std::string> configs;
  for (const auto& ws : desired_->set().workspaces) configs.insert(ws.provider_config);
  if (auto records = store().list({})) {
    for (const auto& r : *records) configs.insert(r.provider_config);
  }
  auto& cache = parts_->cache();
  return runtime::list_accounts(
      providers(), {configs.begin(), configs.end()}, cache.clock(),
      [this](const std::string& name) { return desired_->workspaces_of(name); },
      [&cache](const std::string& name, std::vector<providers::RemoteWorkspace> listed,
               reconcile::ObservedCache::TimePoint started) {
        cache.put_list(name, std::move(listed), started);
      });
}

std::vector<UnusableConfig> Engine::set_aside_unusable(
    const std::map<std::string, Status>& failed_lists, bool only_configuration_failures) {
  std::set<std::string> names;
  for (const auto& config : desired_->set().provider_configs) names.insert(config.name);
  if (auto records = store().list({})) {
    for (const auto& r : *records) names.insert(r.provider_config);
  }
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

void Engine::observe_from_state() {
  auto records = store().list({});
  if (!records) return;
  for (const auto& r : *records) {
    if (!r.remote_id || r.observed_json.empty()) continue;
    if (auto remote = reconcile::remote_from_json(r.observed_json)) {
      cache().put(r.provider_config, *remote);
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
    if (auto records = parts_->store().list({})) {
      for (const auto& r : *records) keys.insert(r.key);
    }
  }
  return {keys.begin(), keys.end()};
}

}  // namespace wsop::cli
