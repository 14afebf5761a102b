// wsctl delete, import and forget: explicit changes to what the operator
// manages, outside the plan.
#include <ostream>

#include "cmd/wsctl/engine_options.h"
#include "controller/reconcile/observed_json.h"
#include "controller/state/sqlite_state_store.h"

namespace wsop::cli {
namespace {

po::positional_options_description names_positional() {
  po::positional_options_description positional;
  positional.add("names", -1);
  return positional;
}

void add_name_options(po::options_description& options) {
  options.add_options()(
      "namespace,n", po::value<std::string>()->default_value(model::kDefaultNamespace),
      "namespace")("names", po::value<std::vector<std::string>>(), "workspace names");
}

std::vector<std::string> names_of(const po::variables_map& values) {
  return values.count("names") ? values["names"].as<std::vector<std::string>>()
                               : std::vector<std::string>{};
}

// Deletes (or forgets, per deletionPolicy and managementPolicy) one workspace.
Status delete_one(Engine& engine, const model::WorkspaceKey& key, std::ostream& out) {
  auto record = engine.store().get(key);
  if (!record) return record.status();
  if (!*record) return Status::error(Code::kNotFound, key.to_string() + " is not managed");
  const state::WorkspaceRecord& r = **record;
  const model::Workspace* desired = engine.desired().find(key);
  auto policy = desired ? desired->deletion_policy : r.deletion_policy;
  auto management = desired ? desired->management_policy : r.management_policy;
  if (desired ? desired->paused() : r.paused) {
    // Paused means hands off, deletes included, as for prune.
    return Status::error(Code::kConflict,
                         key.to_string() +
                             " is paused (workspace-operator.io/paused): not deleted; remove the "
                             "annotation and apply first, or `wsctl forget` it");
  }
  if (r.create.state == state::CreateState::kPending) {
    return Status::error(Code::kConflict, key.to_string() +
                                              ": a create's outcome is unknown; apply first to "
                                              "resolve it, or `wsctl forget` it");
  }
  bool remote_delete = r.remote_id && policy == model::DeletionPolicy::kDelete &&
                       management != model::ManagementPolicy::kObserveOnly;
  if (remote_delete) {
    auto provider = engine.providers().get(r.provider_config);
    if (!provider) return engine.providers().error_of(r.provider_config);
    if (Status s = provider->remove(*r.remote_id); !s.is_ok()) return s;
  }
  if (Status s = engine.store().remove(key); !s.is_ok()) return s;
  out << (remote_delete ? "deleted " : "forgotten ") << key.to_string()
      << (r.remote_id ? " (remote " + *r.remote_id + (remote_delete ? ")" : " kept)") : "") << "\n";
  return Status::ok();
}

}  // namespace

int run_delete(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
  add_name_options(options);
  po::variables_map values;
  auto positional = names_positional();
  if (auto exit = parse_options("delete", "[NAME...] [-n NS] -f SOURCE", options, args, values, io,
                                &positional)) {
    return *exit;
  }
  EngineOptions engine_options;
  if (auto exit = engine_options_from(values, engine_options, io)) return *exit;
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  std::vector<model::WorkspaceKey> keys;
  for (const auto& name : names_of(values))
    keys.push_back({values["namespace"].as<std::string>(), name});
  if (keys.empty()) keys = engine->keys(/*with_records=*/false);
  int failures = 0;
  for (const auto& key : keys) {
    if (Status s = delete_one(*engine, key, io.out); !s.is_ok()) {
      io.err << "wsctl delete: " << s.message() << "\n";
      ++failures;
    }
  }
  return failures ? kExitFailed : kExitOk;
}

int run_import(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
  add_name_options(options);
  options.add_options()("id", po::value<std::string>(), "the remote workspace id to adopt");
  po::variables_map values;
  auto positional = names_positional();
  if (auto exit = parse_options("import", "NAME [-n NS] --id REMOTE_ID -f SOURCE", options, args,
                                values, io, &positional)) {
    return *exit;
  }
  auto names = names_of(values);
  if (names.size() != 1 || !values.count("id")) {
    io.err << "wsctl import: exactly one NAME and --id REMOTE_ID are required\n";
    return kExitInvalid;
  }
  EngineOptions engine_options;
  if (auto exit = engine_options_from(values, engine_options, io)) return *exit;
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  model::WorkspaceKey key{values["namespace"].as<std::string>(), names[0]};
  std::string id = values["id"].as<std::string>();
  const model::Workspace* desired = engine->desired().find(key);
  if (!desired) {
    io.err << "wsctl import: no manifest for " << key.to_string() << " in the source\n";
    return kExitInvalid;
  }
  auto provider = engine->providers().get(desired->provider_config);
  if (!provider) {
    io.err << "wsctl import: " << engine->providers().error_of(desired->provider_config).message()
           << "\n";
    return kExitFailed;
  }
  auto remote = provider->get(id);
  if (!remote) {
    io.err << "wsctl import: " << remote.status().message() << "\n";
    return kExitFailed;
  }
  auto owner = engine->store().find_by_remote_id(desired->provider_config, id);
  if (owner && *owner && (*owner)->key != key) {
    io.err << "wsctl import: remote workspace " << id << " is already managed by "
           << (*owner)->key.to_string() << "\n";
    return kExitFailed;
  }
  auto existing = engine->store().get(key);
  state::WorkspaceRecord record = existing && *existing ? **existing : state::WorkspaceRecord{};
  record.key = key;
  record.external_id = desired->external_id;
  record.provider_config = desired->provider_config;
  record.provider_type = provider->type();
  record.remote_id = id;
  record.owner_instance_id = engine_options.instance_id;
  record.origin = state::Origin::kImported;
  record.create = {};
  record.deletion_policy = desired->deletion_policy;
  record.management_policy = desired->management_policy;
  record.paused = desired->paused();
  record.observed_json = reconcile::to_json(*remote).dump();
  if (Status s = engine->store().put(record); !s.is_ok()) {
    io.err << "wsctl import: " << s.message() << "\n";
    return kExitFailed;
  }
  io.out << "imported " << key.to_string() << " as remote workspace " << id
         << "; run `wsctl apply` to bring it in line with its manifest\n";
  return kExitOk;
}

int run_forget(const Args& args, Io io) {
  po::options_description options("Options");
  add_name_options(options);
  options.add_options()("state", po::value<std::string>()->default_value("./.wsctl/state.db"),
                        "state store file");
  po::variables_map values;
  auto positional = names_positional();
  if (auto exit =
          parse_options("forget", "NAME... [-n NS]", options, args, values, io, &positional)) {
    return *exit;
  }
  auto names = names_of(values);
  if (names.empty()) {
    io.err << "wsctl forget: at least one NAME is required\n";
    return kExitInvalid;
  }
  auto store = state::open_sqlite_state_store(values["state"].as<std::string>());
  if (!store) {
    io.err << "wsctl forget: " << store.status().message() << "\n";
    return kExitInvalid;
  }
  int failures = 0;
  for (const auto& name : names) {
    model::WorkspaceKey key{values["namespace"].as<std::string>(), name};
    if (Status s = (*store)->remove(key); !s.is_ok()) {
      io.err << "wsctl forget: " << key.to_string() << ": " << s.message() << "\n";
      ++failures;
    } else {
      io.out << "forgotten " << key.to_string() << " (the remote workspace is untouched)\n";
    }
  }
  return failures ? kExitFailed : kExitOk;
}

}  // namespace wsop::cli
