// wsctl state backup FILE: a consistent copy of the state store, safe while
// a controller or an apply runs (controller/state/sqlite_backup.h). Restore
// by stopping the controller and putting the copy in place of --state
// (docs/OPERATIONS.md).
#include <ostream>

#include "cmd/wsctl/options.h"
#include "controller/state/sqlite_backup.h"

namespace wsop::cli {

int run_state(const Args& args, Io io) {
  po::options_description options("Options");
  options.add_options()("state", po::value<std::string>()->default_value("./.wsctl/state.db"),
                        "state store file to copy")("action", po::value<std::string>(), "backup")(
      "file", po::value<std::string>(), "where the copy goes (replaced atomically)");
  po::positional_options_description positional;
  positional.add("action", 1).add("file", 1);
  po::variables_map values;
  if (auto exit = parse_options("state", "backup FILE [--state PATH]", options, args, values, io,
                                &positional)) {
    return *exit;
  }
  if (!values.count("action") || values["action"].as<std::string>() != "backup") {
    io.err << "wsctl state: expected `wsctl state backup FILE`\n";
    return kExitInvalid;
  }
  if (!values.count("file")) {
    io.err << "wsctl state backup: FILE is required\n";
    return kExitInvalid;
  }
  const std::string source = values["state"].as<std::string>();
  const std::string file = values["file"].as<std::string>();
  if (Status s = state::backup_sqlite_state_store(source, file); !s.is_ok()) {
    io.err << "wsctl state backup: " << s.message() << "\n";
    return s.code() == Code::kInvalid ? kExitInvalid : kExitFailed;
  }
  io.out << "backed up " << source << " to " << file << "\n";
  return kExitOk;
}

}  // namespace wsop::cli
