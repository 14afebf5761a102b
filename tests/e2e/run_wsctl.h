// Runs the built wsctl binary as a child process and captures what it
// printed and how it exited, for the end-to-end CLI tests.
#pragma once

#include <string>
#include <vector>

namespace wsop::e2e {

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally (signal, exec failure)
  std::string out;
  std::string err;
};

// The wsctl binary of this build tree.
std::string wsctl_path();

// Runs `program args...` with stdin from /dev/null and stdout / stderr
// captured through files in `scratch_dir`. The child inherits the
// environment.
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::string& scratch_dir);

}  // namespace wsop::e2e
