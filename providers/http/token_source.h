// Where a ProviderConfig's bearer token comes from: an environment variable,
// or a file that is re-read when it changes (rotated Kubernetes secrets).
// The token is handed to the HTTP client only; it never appears in a Status,
// a log line or a metric.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

#include "common/status.h"
#include "controller/model/resource.h"

namespace wsop::http {

class TokenSource {
 public:
  explicit TokenSource(model::Credentials credentials) : credentials_(std::move(credentials)) {}

  // The current token. kUnauthorized when the variable is unset or empty or
  // the file cannot be read; the message names the variable or file, never
  // the token.
  Outcome<std::string> token();

 private:
  Outcome<std::string> read_file();

  model::Credentials credentials_;
  std::mutex mu_;
  std::string cached_;
  std::filesystem::file_time_type cached_mtime_{};
  uintmax_t cached_size_ = 0;
  std::filesystem::file_time_type cached_read_at_{};
  // How close to its mtime a read may be before the file could still change
  // unseen within the same timestamp.
  static constexpr std::chrono::seconds kRacyWindow{2};
};

}  // namespace wsop::http
