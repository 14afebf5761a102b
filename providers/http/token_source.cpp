#include "providers/http/token_source.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace wsop::http {
namespace {

std::string trim(std::string text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string::npos ? std::string() : text.substr(start);
}

}  // namespace

Outcome<std::string> TokenSource::token() {
  if (credentials_.env) {
    const char* value = std::getenv(credentials_.env->c_str());
    std::string token = value ? trim(value) : std::string();
    if (token.empty()) {
      return Status::error(Code::kUnauthorized, "environment variable " + *credentials_.env +
                                                    " holding the token is unset or empty");
    }
    return token;
  }
  if (credentials_.file) return read_file();
  return Status::error(Code::kUnauthorized, "no credentials configured");
}

Outcome<std::string> TokenSource::read_file() {
  namespace fs = std::filesystem;
  const std::string& path = *credentials_.file;
  std::error_code ec;
  auto mtime = fs::last_write_time(path, ec);
  auto size = ec ? 0 : fs::file_size(path, ec);
  if (ec) return Status::error(Code::kUnauthorized, "cannot read token file " + path);
  std::lock_guard lock(mu_);
  // The cache holds only while the file's mtime and size are unchanged and
  // the file was already older than the timestamp granularity when it was
  // read: a rewrite in the same tick with a token of the same length (a
  // rotation of fixed-length keys) leaves both unchanged ("racy git").
  auto now = fs::file_time_type::clock::now();
  if (!cached_.empty() && mtime == cached_mtime_ && size == cached_size_ &&
      cached_mtime_ + kRacyWindow < cached_read_at_) {
    return cached_;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string token = trim(buffer.str());
  if (!in && !in.eof()) return Status::error(Code::kUnauthorized, "cannot read token file " + path);
  if (token.empty()) return Status::error(Code::kUnauthorized, "token file " + path + " is empty");
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Status::error(Code::kUnauthorized, "token file " + path + " holds more than one line");
  }
  cached_ = token;
  cached_mtime_ = mtime;
  cached_size_ = size;
  cached_read_at_ = now;
  return token;
}

}  // namespace wsop::http
