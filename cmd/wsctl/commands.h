// wsctl's sub-commands. Each takes its own arguments (after the command name)
// and returns the process exit code of ARCHITECTURE.md section 9.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace wsop::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitChanges = 1,   // diff found changes
  kExitNotFound = 1,  // get: a named workspace does not exist (as kubectl)
  kExitInvalid = 2,   // invalid input or usage
  kExitFailed = 3,    // some workspaces failed
  // controller --leader-elect: the Lease could not be renewed in time, so
  // the replica stopped writing and exited (restarted as a standby).
  kExitLostLeadership = 4,
};

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

using Args = std::vector<std::string>;

int run_validate(const Args& args, Io io);
int run_diff(const Args& args, Io io);
int run_apply(const Args& args, Io io);
int run_get(const Args& args, Io io);
int run_delete(const Args& args, Io io);
int run_import(const Args& args, Io io);
int run_forget(const Args& args, Io io);
int run_controller(const Args& args, Io io);
int run_version(const Args& args, Io io);
int run_state(const Args& args, Io io);
int run_completion(const Args& args, Io io);

// The dispatcher's commands, by name, with their one-line summaries (what
// `wsctl completion` builds its scripts from).
struct CommandSummary {
  std::string name;
  std::string summary;
};
std::vector<CommandSummary> command_summaries();

// Dispatches argv (without the program name) to a command.
int run_wsctl(const Args& args, Io io);

}  // namespace wsop::cli
