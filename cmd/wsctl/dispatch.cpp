#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "cmd/wsctl/commands.h"
#include "providers/registry.h"

namespace wsop::cli {
namespace {

struct Command {
  std::function<int(const Args&, Io)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"validate", {run_validate, "check manifests strictly and print the normalised model"}},
      {"diff", {run_diff, "show what apply would change (exit 1 when something would)"}},
      {"apply", {run_apply, "make the providers match the manifests"}},
      {"get", {run_get, "show managed workspaces and their conditions"}},
      {"delete", {run_delete, "delete workspaces, honouring deletionPolicy"}},
      {"import", {run_import, "adopt an existing remote workspace for a manifest"}},
      {"forget", {run_forget, "drop a workspace from the state store, leaving the remote"}},
      {"state", {run_state, "back up the state store, consistently while it is in use"}},
      {"controller", {run_controller, "reconcile manifest directories forever, with metrics"}},
      {"version", {run_version, "print the version and git revision"}},
      {"completion", {run_completion, "print a shell completion script (bash, zsh or fish)"}},
  };
  return table;
}

// "A, B and C": the registered providers' titles, in registration order.
std::string provider_titles() {
  const auto& descriptors = providers::Registry::builtin().descriptors();
  std::string out;
  for (size_t i = 0; i < descriptors.size(); ++i) {
    if (i > 0) out += i + 1 == descriptors.size() ? " and " : ", ";
    out += descriptors[i].title;
  }
  return out;
}

void usage(std::ostream& out) {
  out << "Usage: wsctl COMMAND [OPTIONS]\n\nKeeps workspaces on " << provider_titles()
      << " equal to their manifests.\n\nCommands:\n";
  for (const auto& [name, command] : commands()) {
    out << "  " << name << std::string(12 - name.size(), ' ') << command.summary << "\n";
  }
  out << "\nRun 'wsctl COMMAND --help' for a command's options.\n";
}

}  // namespace

std::vector<CommandSummary> command_summaries() {
  std::vector<CommandSummary> out;
  for (const auto& [name, command] : commands()) out.push_back({name, command.summary});
  return out;
}

int run_wsctl(const Args& args, Io io) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    usage(args.empty() ? io.err : io.out);
    return args.empty() ? kExitInvalid : kExitOk;
  }
  if (args[0] == "--version") return run_version({}, io);
  auto it = commands().find(args[0]);
  if (it == commands().end()) {
    io.err << "wsctl: unknown command \"" << args[0] << "\"\n\n";
    usage(io.err);
    return kExitInvalid;
  }
  return it->second.run(Args(args.begin() + 1, args.end()), io);
}

}  // namespace wsop::cli
