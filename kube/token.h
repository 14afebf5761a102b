// The bearer token a client sends, from a RestConfig: a static token, or a
// token file re-read as the kubelet rotates it (a projected service account
// token is replaced about every hour, well before it expires).
//
// When the file is re-read: at most once every `reread_after` (a minute by
// default, as client-go's cached file token source does), and at once after
// the server answers 401 (refresh_after_unauthorized), so a rotation is seen
// within a minute, or at the first request the old token fails. A read
// failure keeps the last good token (the kubelet replaces the file by a
// rename, but a reader may still catch it missing for an instant).
//
// Thread-safe. The token never appears in a Status message.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "kube/config.h"

namespace wsop::kube {

class BearerToken {
 public:
  // Null when the configuration has no token. kInvalid when the token file
  // cannot be read at all.
  static Outcome<std::shared_ptr<BearerToken>> from_config(
      const RestConfig& config, std::chrono::milliseconds reread_after = std::chrono::minutes(1));

  // The token to send now ("" when a file went empty).
  std::string current();
  // Re-reads the file at once; true when the token changed, so the request
  // the server refused is worth one more try. False for a static token.
  bool refresh_after_unauthorized();

  BearerToken(std::string token, std::string file, std::chrono::milliseconds reread_after);

 private:
  Status reread_locked();

  std::mutex mu_;
  std::string token_;  // guarded by mu_
  const std::string file_;
  const std::chrono::milliseconds reread_after_;
  std::chrono::steady_clock::time_point read_at_;  // guarded by mu_
};

}  // namespace wsop::kube
