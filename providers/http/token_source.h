// Where a ProviderConfig's bearer token comes from: an environment variable,
// a file that is re-read when it changes (rotated Kubernetes secrets), or a
// key of a Kubernetes Secret read through a SecretReader (secret_reader.h)
// at every call, so a rotated Secret is used by the next request.
// The token is handed to the HTTP client only; it never appears in a Status,
// a log line or a metric.
//
// Which variable or file may be named is the CredentialPolicy's rule
// (credential_policy.h), checked again at every read. What may be sent is
// this file's: at most kMaxTokenBytes, one line, printable ASCII without
// spaces (0x21-0x7E), so a token can neither inject a header (CR LF) nor
// overflow one; a single trailing newline (as `echo` and most editors leave
// it) is not part of the token. A file is read through a bounded buffer: one
// larger than the limit is refused from its size, never read whole.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/v1alpha1/types.h"
#include "common/status.h"
#include "providers/http/credential_policy.h"
#include "providers/http/secret_reader.h"

namespace wsop::http {

inline constexpr size_t kMaxTokenBytes = 16 * 1024;

// Empty when token may be sent as it is, else the rule it breaks, never
// quoting any of it.
std::string check_token(std::string_view token);

class TokenSource {
 public:
  TokenSource(model::Credentials credentials, CredentialPolicy policy)
      : credentials_(std::move(credentials)), policy_(std::move(policy)) {}
  // With the reader of the kubernetes mode; null: a secretRef is refused.
  TokenSource(model::Credentials credentials, CredentialPolicy policy,
              std::shared_ptr<SecretReader> secrets)
      : credentials_(std::move(credentials)),
        policy_(std::move(policy)),
        secrets_(std::move(secrets)) {}

  // The current token. kInvalid when the policy refuses the variable or
  // file, or the credentials are a secretRef and there is no SecretReader
  // (kSecretRefNeedsKubernetes in credential_policy.h); kUnauthorized when
  // the variable is unset or empty, the file cannot be read, the reader
  // finds no such Secret or key (its Status, as it is), or the token breaks
  // a rule of check_token; the reader's kTransient while the Secret is not
  // read yet. The message names the variable, file or Secret and key and
  // the rule, never the token.
  Outcome<std::string> token();

 private:
  Outcome<std::string> read_file();
  Outcome<std::string> read_secret();
  Outcome<std::string> read_open_file(int fd, const std::string& path);

  model::Credentials credentials_;
  CredentialPolicy policy_;
  std::shared_ptr<SecretReader> secrets_;  // null outside the kubernetes mode
  std::mutex mu_;
  std::string cached_;
  dev_t cached_dev_ = 0;
  ino_t cached_ino_ = 0;
  off_t cached_size_ = 0;
  std::chrono::system_clock::time_point cached_mtime_{};
  std::chrono::system_clock::time_point cached_read_at_{};
  // How close to its mtime a read may be before the file could still change
  // unseen within the same timestamp.
  static constexpr std::chrono::seconds kRacyWindow{2};
};

}  // namespace wsop::http
