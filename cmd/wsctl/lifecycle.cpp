// wsctl delete, import and forget: explicit changes to what the operator
// manages, outside the source. Each is a request the planner decides
// (controller/plan/request.h: owner check included) and the reconciler
// carries out with its events; here only the flags and the printing.
#include <optional>
#include <ostream>

#include "cmd/wsctl/session_options.h"
#include "cmd/wsctl/session_print.h"

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
  return model::WorkspaceKey::parse(text, ns);
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

// The remote id of a record, as the report lines show it.
std::string remote_clause(const std::optional<state::WorkspaceRecord>& before, bool deleted) {
  if (!before || !before->remote_id) return "";
  return " (remote " + *before->remote_id + (deleted ? ")" : " kept)");
}

// runtime::Session::delete_all decides; here the report of each key.
int delete_all(runtime::Session& session, const std::vector<model::WorkspaceKey>& keys, Io io) {
  int failures = 0;
  bool usage = session.delete_all(keys, [&](size_t i, const runtime::RequestOutcome& outcome) {
    if (const auto& done = outcome.done) {
      bool deleted = done->plan.action == plan::Action::kDelete;
      io.out << (deleted ? "deleted " : "forgotten ") << keys[i].to_string()
             << remote_clause(done->before, deleted) << "\n";
    }
    if (!outcome.status.is_ok()) {
      io.err << "wsctl delete: " << outcome.status.message() << "\n";
      ++failures;
    }
  });
  if (usage) {
    io.err << "wsctl delete: nothing was deleted\n";
    return kExitInvalid;
  }
  return failures ? kExitFailed : kExitOk;
}

}  // namespace

int run_delete(const Args& args, Io io) {
  po::options_description options("Options");
  add_session_options(options);
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
  runtime::SessionOptions session_options;
  if (auto exit =
          session_options_from(values, session_options, io, /*files_required=*/keys.empty())) {
    return *exit;
  }
  int exit_code = kExitOk;
  // By name from the state store alone: forgets, or says which
  // ProviderConfig a remote delete needs.
  auto session = session_options.files.empty()
                     ? open_records(session_options, "delete", io, exit_code)
                     : open_session(session_options, io, exit_code);
  if (!session) return exit_code;
  if (keys.empty()) keys = session->keys(/*with_records=*/false);
  return delete_all(*session, keys, io);
}

int run_import(const Args& args, Io io) {
  po::options_description options("Options");
  add_session_options(options);
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
  runtime::SessionOptions session_options;
  if (auto exit = session_options_from(values, session_options, io)) return *exit;
  int exit_code = kExitOk;
  auto session = open_session(session_options, io, exit_code);
  if (!session) return exit_code;
  std::vector<model::WorkspaceKey> keys;
  if (auto exit = keys_of(values, "import", keys, io)) return *exit;
  const model::WorkspaceKey& key = keys[0];
  const std::string remote_id = values["id"].as<std::string>();
  runtime::RequestOutcome outcome = session->import(key, remote_id);
  if (!outcome.status.is_ok()) {
    io.err << "wsctl import: " << outcome.status.message() << "\n";
    // A usage refusal (no manifest) is exit 2; the rest failed.
    bool usage = outcome.refused && outcome.status.code() == Code::kInvalid;
    return usage ? kExitInvalid : kExitFailed;
  }
  if (outcome.done && outcome.done->plan.moved_from) {
    io.out << "moved " << outcome.done->plan.moved_from->to_string() << " to " << key.to_string()
           << " (remote workspace " << remote_id << ", kept)\n";
  }
  io.out << "imported " << key.to_string() << " as remote workspace " << remote_id
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
  std::vector<model::WorkspaceKey> keys;
  if (auto exit = keys_of(values, "forget", keys, io)) return *exit;
  runtime::SessionOptions session_options;
  session_options.state.path = values["state"].as<std::string>();
  int exit_code = kExitOk;
  auto session = open_records(session_options, "forget", io, exit_code);
  if (!session) return exit_code;
  int failures = 0;
  session->forget_all(keys, [&](size_t i, const runtime::RequestOutcome& outcome) {
    if (!outcome.status.is_ok()) {
      io.err << "wsctl forget: " << keys[i].to_string() << ": " << outcome.status.message() << "\n";
      ++failures;
    } else {
      io.out << "forgotten " << keys[i].to_string() << " (the remote workspace is untouched)\n";
    }
  });
  return failures ? kExitFailed : kExitOk;
}

}  // namespace wsop::cli
