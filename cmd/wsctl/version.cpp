#include <ostream>

#include "cmd/wsctl/commands.h"
#include "common/version.h"

namespace wsop::cli {

int run_version(const Args& args, Io io) {
  if (!args.empty()) {
    io.err << "wsctl version: takes no arguments\n";
    return kExitInvalid;
  }
  io.out << "wsctl " << kVersion << " (git " << kGitRevision << ")\n";
  return kExitOk;
}

}  // namespace wsop::cli
