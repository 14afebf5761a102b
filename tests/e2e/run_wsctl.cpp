#include "tests/e2e/run_wsctl.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

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

StartedProgram start_program(const std::string& program, const std::vector<std::string>& args,
                             const std::string& scratch_dir) {
  static std::atomic<int> counter{0};
  int n = counter++;
  StartedProgram started;
  started.out_path = scratch_dir + "/run-" + std::to_string(n) + ".out";
  started.err_path = scratch_dir + "/run-" + std::to_string(n) + ".err";
  std::vector<std::string> argv_storage;
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(started.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(started.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  started.pid = pid;
  return started;
}

RunResult finish_program(const StartedProgram& started, std::chrono::milliseconds patience) {
  RunResult result;
  if (started.pid < 0) {
    result.err = "fork failed";
    return result;
  }
  auto give_up = std::chrono::steady_clock::now() + patience;
  int status = 0;
  while (true) {
    pid_t done = waitpid(started.pid, &status, WNOHANG);
    if (done == started.pid) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > give_up) {
      kill(started.pid, SIGKILL);
      while (waitpid(started.pid, &status, 0) < 0 && errno == EINTR) {
      }
      status = -1;
      break;
    }
    usleep(20000);
  }
  result.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = file_contents(started.out_path);
  result.err = file_contents(started.err_path);
  return result;
}

RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::string& scratch_dir) {
  return finish_program(start_program(program, args, scratch_dir), std::chrono::hours(24));
}

}  // namespace wsop::e2e
