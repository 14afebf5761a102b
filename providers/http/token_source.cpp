#include "providers/http/token_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace wsop::http {
namespace {

Status token_refusal(std::string message) {
  return Status::error(Code::kUnauthorized, std::move(message));
}

// Closes the token file on every return.
class TokenFile {
 public:
  explicit TokenFile(int fd) : fd_(fd) {}
  ~TokenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string_view without_final_newline(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return text;
}

std::chrono::system_clock::time_point token_file_mtime(const struct stat& st) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

}  // namespace

std::string check_token(std::string_view token) {
  if (token.empty()) return "is empty";
  if (token.size() > kMaxTokenBytes) {
    return "is longer than " + std::to_string(kMaxTokenBytes) + " bytes (16 KiB)";
  }
  for (char c : token) {
    auto byte = static_cast<unsigned char>(c);
    if (byte == '\r' || byte == '\n') return "holds more than one line (CR or LF)";
    if (byte == ' ') return "holds a space";
    if (byte < 0x20 || byte == 0x7F) return "holds a control character";
    if (byte > 0x7F) return "holds a byte outside ASCII";
  }
  return {};
}

Outcome<std::string> TokenSource::token() {
  if (credentials_.env) {
    const std::string& name = *credentials_.env;
    if (std::string problem = policy_.check_env(name); !problem.empty()) {
      return Status::error(Code::kInvalid, problem);
    }
    const char* value = std::getenv(name.c_str());
    if (!value || !*value) {
      return token_refusal("environment variable " + name + " holding the token is unset or empty");
    }
    std::string_view token = without_final_newline(value);
    if (std::string problem = check_token(token); !problem.empty()) {
      return token_refusal("the token in environment variable " + name + " " + problem +
                           ": a token is one line of at most 16 KiB of printable ASCII without "
                           "spaces");
    }
    return std::string(token);
  }
  if (credentials_.file) return read_file();
  if (credentials_.secret_ref) return read_secret();
  return token_refusal("no credentials configured");
}

// No cache here: the reader answers from its own (secret_reader.h), and
// asking it every time is what makes a rotation reach the next request.
Outcome<std::string> TokenSource::read_secret() {
  if (!secrets_) return Status::error(Code::kInvalid, kSecretRefNeedsKubernetes);
  const model::SecretKeySelector& ref = *credentials_.secret_ref;
  auto value = secrets_->read(ref);
  if (!value) return value.status();
  std::string_view token = without_final_newline(*value);
  if (std::string problem = check_token(token); !problem.empty()) {
    return token_refusal("the token in " + secret_display(ref) + " key " + ref.key + " " + problem +
                         ": a token is one line of at most 16 KiB of printable ASCII without "
                         "spaces");
  }
  return std::string(token);
}

Outcome<std::string> TokenSource::read_file() {
  const std::string& path = *credentials_.file;
  auto resolved = policy_.resolve_file(path);
  if (!resolved) return resolved.status();
  // O_NONBLOCK: a FIFO put in place of the file must not hang the reconcile;
  // O_NOCTTY: nor may a terminal become ours.
  TokenFile file(::open(resolved->c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (file.get() < 0) {
    return token_refusal("cannot read token file " + path + ": " + std::strerror(errno));
  }
  if (Status opened = policy_.check_opened(file.get(), path); !opened.is_ok()) return opened;
  return read_open_file(file.get(), path);
}

Outcome<std::string> TokenSource::read_open_file(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return token_refusal("cannot read token file " + path);
  // One byte more than the longest token, for its newline.
  constexpr size_t kMaxFileBytes = kMaxTokenBytes + 1;
  if (static_cast<uintmax_t>(st.st_size) > kMaxFileBytes) {
    return token_refusal("token file " + path + " is " + std::to_string(st.st_size) +
                         " bytes: a token is at most 16 KiB, one line");
  }
  auto mtime = token_file_mtime(st);
  auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mu_);
  // The cache holds only while the file is the same one with the same mtime
  // and size, and it was already older than the timestamp granularity when
  // it was read: a rewrite in the same tick with a token of the same length
  // (a rotation of fixed-length keys) leaves both unchanged ("racy git").
  if (!cached_.empty() && st.st_dev == cached_dev_ && st.st_ino == cached_ino_ &&
      st.st_size == cached_size_ && mtime == cached_mtime_ &&
      cached_mtime_ + kRacyWindow < cached_read_at_) {
    return cached_;
  }
  std::string buffer(kMaxFileBytes, '\0');
  size_t used = 0;
  while (used < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return token_refusal("cannot read token file " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  buffer.resize(used);
  std::string_view token = without_final_newline(buffer);
  if (std::string problem = check_token(token); !problem.empty()) {
    return token_refusal("the token in file " + path + " " + problem +
                         ": a token is one line of at most 16 KiB of printable ASCII without "
                         "spaces");
  }
  cached_ = std::string(token);
  cached_dev_ = st.st_dev;
  cached_ino_ = st.st_ino;
  cached_size_ = st.st_size;
  cached_mtime_ = mtime;
  cached_read_at_ = now;
  return cached_;
}

}  // namespace wsop::http
