// Runs the built wsctl binary as a child process and captures what it
// printed and how it exited, for the end-to-end CLI tests.
#pragma once

#include <sys/types.h>
#include <chrono>
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

// A child started by start_program, running until finish_program.
struct StartedProgram {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;
};

// As run_program, without waiting: the caller may signal pid meanwhile.
StartedProgram start_program(const std::string& program, const std::vector<std::string>& args,
                             const std::string& scratch_dir);

// Waits for the child; after `patience` it is killed (SIGKILL) and
// exit_code is -1. A child killed by a signal also gives -1.
RunResult finish_program(const StartedProgram& started, std::chrono::milliseconds patience);

}  // namespace wsop::e2e
