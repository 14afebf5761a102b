// Helpers of the controller end-to-end tests: a `wsctl controller`
// subprocess, shell commands (git), the Prometheus text format and free ports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wsop::e2e {

// Runs `sh -c command` in dir; returns its stdout (trailing newline
// stripped) and sets *exit_code.
std::string shell(const std::string& dir, const std::string& command, int* exit_code = nullptr);

// A loopback TCP port that was free a moment ago.
int free_port();

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

// One `wsctl controller ...` (or any wsctl command) run as a child process,
// its stdout and stderr going to files; with max_files, under that
// RLIMIT_NOFILE (soft and hard).
class Process {
 public:
  Process(std::vector<std::string> args, std::map<std::string, std::string> env,
          const std::string& log_prefix, std::optional<unsigned long> max_files = std::nullopt);
  ~Process();  // SIGKILLs a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int number);
  // The exit code (128+signal when killed), or nothing if still running
  // after the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }
  std::string out() const { return read_file(out_path_); }
  std::string err() const { return read_file(err_path_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_;
  std::string out_path_, err_path_;
};

// A sample of the text format: name, labels, value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};
std::vector<Sample> parse_metrics(const std::string& text);
// The sum of the samples named `name` whose labels include `labels`;
// nothing when there is none.
std::optional<double> metric(const std::string& text, const std::string& name,
                             const std::map<std::string, std::string>& labels = {});

// From /proc/<pid>: user plus system CPU time in seconds, the resident set
// in KiB (VmRSS), and the number of open descriptors; -1 when unreadable.
double cpu_seconds_of(pid_t pid);
long resident_kib_of(pid_t pid);
long open_descriptors_of(pid_t pid);

}  // namespace wsop::e2e
