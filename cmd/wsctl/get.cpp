// wsctl get [workspaces] [NAME|NS/NAME...]: what the state store knows, like
// `kubectl get`. Reads only the state store, read-only and without its lock,
// so it runs beside a controller or an apply that holds the store
// (controller/state/sqlite_state_store.h); talks to no provider.
#include <algorithm>
#include <ostream>
#include <set>

#include "cmd/wsctl/get_print.h"
#include "cmd/wsctl/label_selector.h"
#include "cmd/wsctl/options.h"
#include "controller/manifest/manifest_set.h"
#include "controller/state/sqlite_state_store.h"

namespace wsop::cli {
namespace {

// One NAME argument: "NS/NAME", or "NAME" in -n's namespace (any namespace
// when -n is not given: the state store is local, as `kubectl get -A`).
struct NameQuery {
  std::string ns;  // empty: any
  std::string name;
  std::string to_string() const { return ns.empty() ? name : ns + "/" + name; }
};

struct GetQuery {
  std::string ns;  // empty: every namespace
  std::vector<NameQuery> names;
  std::optional<std::set<model::WorkspaceKey>> selected;  // by -l over -f's manifests
};

bool name_matches(const NameQuery& query, const model::WorkspaceKey& key) {
  return query.name == key.name && (query.ns.empty() || query.ns == key.ns);
}

bool query_matches(const GetQuery& query, const model::WorkspaceKey& key) {
  if (query.selected && !query.selected->count(key)) return false;
  if (!query.names.empty()) {
    return std::any_of(query.names.begin(), query.names.end(),
                       [&](const NameQuery& name) { return name_matches(name, key); });
  }
  return query.ns.empty() || query.ns == key.ns;
}

// The keys of -f's Workspaces whose labels match -l: the state store keeps
// no labels, so a selector needs the manifests. kExitInvalid after a message.
std::optional<int> select_by_labels(const po::variables_map& values, GetQuery& query, Io io) {
  std::string selector = values["selector"].as<std::string>();
  if (selector.empty()) return std::nullopt;
  auto parsed = LabelSelector::parse(selector);
  if (!parsed) {
    io.err << "wsctl get: -l: " << parsed.status().message() << "\n";
    return kExitInvalid;
  }
  if (!values.count("filename")) {
    io.err << "wsctl get: -l selects by the manifests' labels, which the state store does not "
              "keep: pass the source too (-f PATH)\n";
    return kExitInvalid;
  }
  manifest::LoadOptions load_options;
  if (auto exit = credential_policy_from(values, "get", load_options.credentials, io)) return exit;
  load_options.provider_config_paths = provider_config_paths(values);
  auto loaded = manifest::load_manifests(values["filename"].as<std::vector<std::string>>(), io.in,
                                         load_options);
  for (const auto& error : loaded.errors) io.err << error.to_string() << "\n";
  if (!loaded.ok()) return kExitInvalid;
  query.selected.emplace();
  for (const auto& ws : loaded.set.workspaces) {
    if (parsed->matches(ws.labels)) query.selected->insert(ws.key());
  }
  return std::nullopt;
}

std::optional<int> query_from(const po::variables_map& values, GetQuery& query, Io io) {
  bool all_namespaces = values["all-namespaces"].as<bool>();
  if (!all_namespaces) query.ns = values["namespace"].as<std::string>();
  std::vector<std::string> names;
  if (values.count("names")) names = values["names"].as<std::vector<std::string>>();
  if (!names.empty() && (names[0] == "workspaces" || names[0] == "workspace" || names[0] == "ws")) {
    names.erase(names.begin());
  }
  for (const auto& argument : names) {
    // Without a namespace (-A), a bare NAME is looked for in every one.
    auto key = model::WorkspaceKey::parse(argument, query.ns);
    if (!key) {
      io.err << "wsctl get: \"" << argument << "\" is not NAME or NAMESPACE/NAME\n";
      return kExitInvalid;
    }
    query.names.push_back({key->ns, key->name});
  }
  return select_by_labels(values, query, io);
}

// Every record of the store at `path`, read-only; none when there is no
// store yet (nothing is managed, as kubectl lists an empty namespace).
// kExitInvalid after a message when the file cannot be read as a store.
std::optional<int> read_records(const std::string& path,
                                std::vector<state::WorkspaceRecord>& records, Io io) {
  auto store = state::open_sqlite_state_store_read_only(path);
  if (!store) {
    if (store.status().code() == Code::kNotFound) return std::nullopt;
    io.err << "wsctl get: " << store.status().message() << "\n";
    return kExitInvalid;
  }
  auto listed = (*store)->list({});
  if (!listed) {
    io.err << "wsctl get: " << listed.status().message() << "\n";
    return kExitInvalid;
  }
  records = std::move(*listed);
  return std::nullopt;
}

// Prints a not-found error for each NAME argument nothing matched; whether
// there was one.
bool report_missing(const GetQuery& query, const std::vector<state::WorkspaceRecord>& shown,
                    Io io) {
  bool missing = false;
  for (const auto& name : query.names) {
    bool found = std::any_of(shown.begin(), shown.end(), [&](const state::WorkspaceRecord& r) {
      return name_matches(name, r.key);
    });
    if (!found) {
      io.err << "Error: workspace \"" << name.to_string() << "\" not found\n";
      missing = true;
    }
  }
  return missing;
}

void add_get_options(po::options_description& options) {
  options.add_options()("state", po::value<std::string>()->default_value("./.wsctl/state.db"),
                        "state store file (read only; may be in use by a controller or apply)")(
      "namespace,n", po::value<std::string>()->default_value(""),
      "only this namespace (default: every namespace)")(
      "all-namespaces,A", po::bool_switch(), "every namespace (the default; overrides -n)")(
      "selector,l", po::value<std::string>()->default_value(""),
      "only workspaces whose manifest labels match (k=v,k2!=v2); needs -f")(
      "output,o", po::value<std::string>()->default_value(""), "name, wide, json or yaml")(
      "names", po::value<std::vector<std::string>>(), "workspace names");
  add_filename_option(options);
  add_credential_options(options);
}

}  // namespace

int run_get(const Args& args, Io io) {
  po::options_description options("Options");
  add_get_options(options);
  po::positional_options_description positional;
  positional.add("names", -1);
  po::variables_map values;
  if (auto exit = parse_options(
          "get",
          "[workspaces] [NAME|NS/NAME...] [-n NS|-A] [-l k=v -f PATH] [-o name|wide|json|yaml]",
          options, args, values, io, &positional)) {
    return *exit;
  }
  std::string output = values["output"].as<std::string>();
  if (std::find(std::begin(kGetOutputs), std::end(kGetOutputs), output) == std::end(kGetOutputs)) {
    io.err << "wsctl get: unsupported output format \"" << output
           << "\" (use name, wide, json or yaml)\n";
    return kExitInvalid;
  }
  GetQuery query;
  if (auto exit = query_from(values, query, io)) return *exit;
  std::vector<state::WorkspaceRecord> records;
  if (auto exit = read_records(values["state"].as<std::string>(), records, io)) return *exit;
  std::vector<state::WorkspaceRecord> shown;
  for (auto& r : records) {
    if (query_matches(query, r.key)) shown.push_back(displayed(std::move(r)));
  }
  int exit_code = report_missing(query, shown, io) ? kExitNotFound : kExitOk;
  if (shown.empty() && (output.empty() || output == "wide" || output == "name")) {
    // kubectl's words, so that scripts and habits that look for them work.
    if (query.names.empty()) {
      io.err << "No resources found"
             << (query.ns.empty() ? std::string() : " in " + query.ns + " namespace") << ".\n";
    }
  } else {
    print_records(shown, output, io.out);
  }
  return exit_code;
}

}  // namespace wsop::cli
