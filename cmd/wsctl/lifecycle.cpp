// wsctl delete, import and forget: explicit changes to what the operator
// manages, outside the plan.
#include <optional>
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

// "ns/name", or "name" in --namespace: as kubectl prints keys and wsctl get
// shows them. nullopt when it is neither.
std::optional<model::WorkspaceKey> key_of(const std::string& text, const std::string& ns) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) {
    if (text.empty()) return std::nullopt;
    return model::WorkspaceKey{ns, text};
  }
  std::string name = text.substr(slash + 1);
  if (slash == 0 || name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  return model::WorkspaceKey{text.substr(0, slash), name};
}

// The keys of the NAME arguments; kExitInvalid after a message when one is
// not a name.
std::optional<int> keys_of(const po::variables_map& values, const std::string& command,
                           std::vector<model::WorkspaceKey>& keys, Io io) {
  for (const auto& name : names_of(values)) {
    auto key = key_of(name, values["namespace"].as<std::string>());
    if (!key) {
      io.err << "wsctl " << command << ": \"" << name << "\" is not NAME or NAMESPACE/NAME\n";
      return kExitInvalid;
    }
    keys.push_back(*key);
  }
  return std::nullopt;
}

// What delete works with: the state store, and with -f the source's
// manifests and providers (null for `wsctl delete NAME` from the store alone).
struct DeleteContext {
  state::StateStore& store;
  reconcile::ProviderSet* providers = nullptr;
  const reconcile::DesiredState* desired = nullptr;
};

// What delete will do with one workspace, decided before anything is done.
struct DeleteDecision {
  model::WorkspaceKey key;
  state::WorkspaceRecord record;
  bool remote_delete = false;
  Status refusal;             // not OK: leave this workspace alone
  bool needs_source = false;  // refused for want of its ProviderConfig (usage)
};

// Credentials live in ProviderConfig manifests, never in the state store: a
// remote delete needs the source that defines the record's ProviderConfig.
Status provider_config_needed(const DeleteDecision& d) {
  const std::string& config = d.record.provider_config;
  return Status::error(
      Code::kInvalid, d.key.to_string() + " has deletionPolicy Delete: deleting remote workspace " +
                          *d.record.remote_id + " needs ProviderConfig \"" + config +
                          "\"; pass the manifest that defines it: wsctl delete " +
                          d.key.to_string() + " -f PATH (or `wsctl forget` to keep the remote)");
}

// Decides per deletionPolicy, managementPolicy and the paused annotation.
DeleteDecision decide(const DeleteContext& ctx, const model::WorkspaceKey& key) {
  DeleteDecision d;
  d.key = key;
  auto record = ctx.store.get(key);
  if (!record || !*record) {
    d.refusal = record ? Status::error(Code::kNotFound, key.to_string() + " is not managed")
                       : record.status();
    return d;
  }
  d.record = **record;
  const model::Workspace* desired = ctx.desired ? ctx.desired->find(key) : nullptr;
  auto policy = desired ? desired->deletion_policy : d.record.deletion_policy;
  auto management = desired ? desired->management_policy : d.record.management_policy;
  if (d.record.create.state == state::CreateState::kPending) {
    d.refusal = Status::error(Code::kConflict, key.to_string() +
                                                   ": a create's outcome is unknown; apply first "
                                                   "to resolve it, or `wsctl forget` it");
  } else if (desired ? desired->paused() : d.record.paused) {
    // Paused means hands off, deletes included, as for prune.
    d.refusal = Status::error(Code::kConflict,
                              key.to_string() +
                                  " is paused (workspace-operator.io/paused): not deleted; remove "
                                  "the annotation and apply first, or `wsctl forget` it");
  }
  if (!d.refusal.is_ok()) return d;
  d.remote_delete = d.record.remote_id && policy == model::DeletionPolicy::kDelete &&
                    management != model::ManagementPolicy::kObserveOnly;
  bool defined = ctx.desired && ctx.desired->set().find_provider_config(d.record.provider_config);
  if (d.remote_delete && !defined) {
    d.refusal = provider_config_needed(d);
    d.needs_source = true;
  }
  return d;
}

// Deletes (or forgets) one workspace as decided.
Status carry_out(const DeleteContext& ctx, const DeleteDecision& d, std::ostream& out) {
  const state::WorkspaceRecord& r = d.record;
  if (d.remote_delete) {
    auto provider = ctx.providers->get(r.provider_config);
    if (!provider) return ctx.providers->error_of(r.provider_config);
    if (Status s = provider->remove(*r.remote_id); !s.is_ok()) return s;
  }
  if (Status s = ctx.store.remove(d.key); !s.is_ok()) return s;
  out << (d.remote_delete ? "deleted " : "forgotten ") << d.key.to_string()
      << (r.remote_id ? " (remote " + *r.remote_id + (d.remote_delete ? ")" : " kept)") : "")
      << "\n";
  return Status::ok();
}

// Decides every workspace first: a missing ProviderConfig is a usage error
// that stops the whole command before anything is deleted.
int delete_all(const DeleteContext& ctx, const std::vector<model::WorkspaceKey>& keys, Io io) {
  std::vector<DeleteDecision> decisions;
  bool usage = false;
  for (const auto& key : keys) {
    decisions.push_back(decide(ctx, key));
    usage = usage || decisions.back().needs_source;
  }
  int failures = 0;
  for (const auto& d : decisions) {
    Status s = !d.refusal.is_ok() ? d.refusal : usage ? Status::ok() : carry_out(ctx, d, io.out);
    if (!s.is_ok()) {
      io.err << "wsctl delete: " << s.message() << "\n";
      ++failures;
    }
  }
  if (usage) {
    io.err << "wsctl delete: nothing was deleted\n";
    return kExitInvalid;
  }
  return failures ? kExitFailed : kExitOk;
}

}  // namespace

int run_delete(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
  add_name_options(options);
  po::variables_map values;
  auto positional = names_positional();
  if (auto exit = parse_options("delete", "-f SOURCE | NAME... [-n NS] [-f PROVIDERCONFIGS]",
                                options, args, values, io, &positional)) {
    return *exit;
  }
  std::vector<model::WorkspaceKey> keys;
  if (auto exit = keys_of(values, "delete", keys, io)) return *exit;
  if (keys.empty() && !values.count("filename")) {
    io.err << "wsctl delete: give -f SOURCE (delete its workspaces) or NAME... (from the state "
              "store)\n";
    return kExitInvalid;
  }
  EngineOptions engine_options;
  if (auto exit =
          engine_options_from(values, engine_options, io, /*files_required=*/keys.empty())) {
    return *exit;
  }
  if (engine_options.files.empty()) {
    // By name from the state store alone: forgets, or says which
    // ProviderConfig a remote delete needs.
    auto store = state::open_sqlite_state_store(engine_options.state_path);
    if (!store) {
      io.err << "wsctl delete: " << store.status().message() << "\n";
      return kExitInvalid;
    }
    return delete_all({**store}, keys, io);
  }
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  if (keys.empty()) keys = engine->keys(/*with_records=*/false);
  return delete_all({engine->store(), &engine->providers(), &engine->desired()}, keys, io);
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
  std::vector<model::WorkspaceKey> keys;
  if (auto exit = keys_of(values, "import", keys, io)) return *exit;
  const model::WorkspaceKey& key = keys[0];
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
  auto remote = provider->get_to_adopt(id, *desired);
  if (!remote) {
    io.err << "wsctl import: " << remote.status().message() << "\n";
    return kExitFailed;
  }
  auto owner = engine->store().find_by_remote_id(desired->provider_config, id);
  // A rename: the record of a manifest that left the source moves here, in
  // one transaction; one whose manifest is still there keeps it.
  std::optional<model::WorkspaceKey> moved_from;
  if (owner && *owner && (*owner)->key != key) {
    if (engine->desired().find((*owner)->key)) {
      io.err << "wsctl import: remote workspace " << id << " is already managed by "
             << (*owner)->key.to_string() << ", whose manifest is in the source\n";
      return kExitFailed;
    }
    moved_from = (*owner)->key;
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
  Status stored =
      moved_from ? engine->store().move(*moved_from, record) : engine->store().put(record);
  if (!stored.is_ok()) {
    io.err << "wsctl import: " << stored.message() << "\n";
    return kExitFailed;
  }
  if (moved_from) {
    io.out << "moved " << moved_from->to_string() << " to " << key.to_string()
           << " (remote workspace " << id << ", kept)\n";
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
  std::vector<model::WorkspaceKey> keys;
  if (auto exit = keys_of(values, "forget", keys, io)) return *exit;
  int failures = 0;
  for (const auto& key : keys) {
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
