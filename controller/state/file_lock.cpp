#include "controller/state/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace wsop::state {
namespace {

// Closes a descriptor on every early return of acquire().
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string errno_text(int err) {
  return std::strerror(err);
}

// The pid the holder wrote, or "unknown" (it may not have written it yet).
std::string read_holder_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string text = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return "unknown";
  }
  return text;
}

Status conflict(int fd, const std::string& what) {
  std::string pid = read_holder_pid(fd);
  std::string holder = pid == std::to_string(::getpid())
                           ? "this process (pid " + pid + "), which already has it open"
                           : "another wsctl process (pid " + pid + ")";
  return Status::error(Code::kConflict, "state file " + what + " is in use by " + holder +
                                            "; stop it or use a different --state path");
}

Status write_pid(int fd) {
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return Status::error(Code::kInternal, "write lock file: " + errno_text(errno));
  }
  return Status::ok();
}

}  // namespace

Outcome<FileLock> FileLock::acquire(const std::string& lock_path, const std::string& what) {
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    return Status::error(Code::kInternal, "open lock file " + lock_path + ": " + errno_text(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return conflict(fd.get(), what);
    return Status::error(Code::kInternal, "lock " + lock_path + ": " + errno_text(errno));
  }
  Status written = write_pid(fd.get());
  if (!written) return written;
  return FileLock(fd.release());
}

FileLock::~FileLock() {
  // Closing the only descriptor of the open file description drops the lock.
  // The file stays: removing it would race with a process about to lock it.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace wsop::state
