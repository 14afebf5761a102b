// Which credentials a ProviderConfig may name. A manifest says both where a
// request goes (spec.baseUrl) and which secret it carries (spec.credentials):
// left free, whoever commits a ProviderConfig could send any readable file
// (/proc/self/environ: every token of the process) or variable (PATH) to a
// host of their choosing. So the operator, not the manifest, says which
// secrets may be used (README.md, "Credentials"):
//   - credentials.file must resolve (symlinks and ".." followed) inside one
//     of the directories named by --credentials-dir; none by default. /proc,
//     /sys and /dev are never allowed, even when named (nor "/", which holds
//     them), and the file opened must be a regular file in an allowed
//     directory, checked again on the descriptor itself, so a symlink swapped
//     between the check and the open gains nothing.
//   - credentials.env must fully match --credentials-env-pattern (an
//     ECMAScript regular expression; kDefaultCredentialsEnvPattern).
// The loader checks both at validate time (controller/manifest/
// decode_provider_config.cpp, with the field's position), the registry
// before it makes a provider, and TokenSource at every read.
// Messages name the variable, the file and the rule; never a token.
#pragma once

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "api/v1alpha1/types.h"
#include "common/status.h"

namespace wsop::http {

// Why credentials.secretRef cannot give a token here: a Secret is read
// through the Kubernetes API, in the kubernetes mode only.
inline constexpr const char* kSecretRefNeedsKubernetes =
    "credentials.secretRef needs the kubernetes mode (wsctl controller --source kubernetes)";

inline constexpr const char* kDefaultCredentialsEnvPattern =
    "^[A-Z][A-Z0-9_]*_(TOKEN|API_KEY|KEY)$";

class CredentialPolicy {
 public:
  // No directory, the default pattern: only variables are accepted.
  CredentialPolicy();

  // kInvalid when a directory is empty, is or lies under /proc, /sys or
  // /dev, or is "/", or when the pattern is not a valid regular expression.
  // Directories are kept canonical (symlinks followed); they need not exist.
  static Outcome<CredentialPolicy> create(const std::vector<std::string>& dirs,
                                          const std::string& env_pattern);

  // Empty when the variable may hold a token, else the rule it breaks.
  std::string check_env(std::string_view name) const;

  // The canonical path of a credentials file (relative paths resolve against
  // the working directory), or kInvalid naming the file and the rule broken.
  Outcome<std::filesystem::path> resolve_file(const std::string& path) const;

  // What was actually opened for path: a regular file, on neither procfs nor
  // sysfs, whose canonical path (read back from the descriptor) lies inside
  // an allowed directory. kInvalid otherwise.
  Status check_opened(int fd, const std::string& path) const;

  // Both rules for one ProviderConfig's credentials (kInvalid).
  Status check(const model::Credentials& credentials) const;

  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }
  const std::string& env_pattern() const { return env_pattern_; }

 private:
  std::string check_resolved(const std::filesystem::path& resolved, const std::string& path) const;

  std::vector<std::filesystem::path> dirs_;
  std::string env_pattern_;
  std::shared_ptr<const std::regex> env_regex_;
};

}  // namespace wsop::http
