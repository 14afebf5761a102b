#include "tests/e2e/run_wsctl.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <sstream>

namespace wsop::e2e {
namespace {

std::string file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string wsctl_path() {
  return WSOP_BINARY_DIR "/cmd/wsctl/wsctl";
}

RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::string& scratch_dir) {
  static std::atomic<int> counter{0};
  int n = counter++;
  std::string out_path = scratch_dir + "/run-" + std::to_string(n) + ".out";
  std::string err_path = scratch_dir + "/run-" + std::to_string(n) + ".err";
  std::vector<std::string> argv_storage;
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  RunResult result;
  pid_t pid = fork();
  if (pid < 0) {
    result.err = "fork failed";
    return result;
  }
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = file_contents(out_path);
  result.err = file_contents(err_path);
  return result;
}

}  // namespace wsop::e2e
