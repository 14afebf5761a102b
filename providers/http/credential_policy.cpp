#include "providers/http/credential_policy.h"

#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>

namespace wsop::http {
namespace fs = std::filesystem;
namespace {

// Longer names are refused before the regular expression runs: libstdc++'s
// matcher recurses per character, and a manifest chooses the name.
constexpr size_t kMaxEnvNameLength = 256;
// statfs(2) f_type of the pseudo-filesystems that expose process and kernel
// state: refused wherever they are mounted, not only at /proc and /sys.
constexpr long kProcSuperMagic = 0x9fa0;
constexpr long kSysfsMagic = 0x62656572;

// "/", or /proc, /sys, /dev and anything under them (path is canonical).
bool is_forbidden_root(const fs::path& path) {
  auto it = path.begin();
  if (it == path.end() || *it != "/") return false;
  if (++it == path.end() || it->empty()) return true;  // "/" itself holds them all
  return *it == "proc" || *it == "sys" || *it == "dev";
}

// Whether path is dir or lies under it, component by component (so that
// /run/secrets-other is not inside /run/secrets).
bool path_is_within(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (d->empty() && std::next(d) == dir.end()) return true;  // a trailing "/"
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

Status policy_refusal(std::string message) {
  return Status::error(Code::kInvalid, std::move(message));
}

std::string joined_dirs(const std::vector<fs::path>& dirs) {
  std::string out;
  for (const auto& dir : dirs) out += (out.empty() ? "" : ", ") + dir.string();
  return out;
}

fs::path canonical_credentials_path(const std::string& path, std::error_code& ec) {
  fs::path absolute = fs::absolute(path, ec);
  if (ec) return {};
  return fs::weakly_canonical(absolute, ec);
}

}  // namespace

CredentialPolicy::CredentialPolicy()
    : env_pattern_(kDefaultCredentialsEnvPattern),
      env_regex_(std::make_shared<const std::regex>(kDefaultCredentialsEnvPattern,
                                                    std::regex::ECMAScript)) {}

Outcome<CredentialPolicy> CredentialPolicy::create(const std::vector<std::string>& dirs,
                                                   const std::string& env_pattern) {
  CredentialPolicy policy;
  for (const std::string& dir : dirs) {
    if (dir.empty()) return policy_refusal("--credentials-dir must not be empty");
    std::error_code ec;
    fs::path canonical = canonical_credentials_path(dir, ec);
    if (ec) return policy_refusal("--credentials-dir " + dir + ": " + ec.message());
    if (is_forbidden_root(canonical)) {
      return policy_refusal(
          "--credentials-dir " + dir + " is not allowed: /proc, /sys and /dev (and /, " +
          "which holds them) expose the process and the machine, never credentials");
    }
    policy.dirs_.push_back(std::move(canonical));
  }
  try {
    policy.env_regex_ = std::make_shared<const std::regex>(env_pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return policy_refusal(
        "--credentials-env-pattern is not a valid ECMAScript regular expression: " +
        std::string(e.what()));
  }
  policy.env_pattern_ = env_pattern;
  return policy;
}

std::string CredentialPolicy::check_env(std::string_view name) const {
  if (name.size() > kMaxEnvNameLength) {
    return "environment variable name is longer than " + std::to_string(kMaxEnvNameLength) +
           " characters";
  }
  if (!std::regex_match(name.begin(), name.end(), *env_regex_)) {
    return "environment variable " + std::string(name) +
           " may not hold a token: its name does not match --credentials-env-pattern " +
           env_pattern_;
  }
  return {};
}

std::string CredentialPolicy::check_resolved(const fs::path& resolved,
                                             const std::string& path) const {
  std::string shown = "credentials file " + path;
  if (resolved.string() != path) shown += " (resolved to " + resolved.string() + ")";
  if (is_forbidden_root(resolved)) {
    return shown + " is not allowed: /proc, /sys and /dev never hold credentials";
  }
  if (dirs_.empty()) {
    return shown +
           " is not allowed: files are read only under a --credentials-dir, and none is set";
  }
  for (const fs::path& dir : dirs_) {
    if (path_is_within(resolved, dir)) return {};
  }
  return shown + " is outside every --credentials-dir (" + joined_dirs(dirs_) + ")";
}

Outcome<fs::path> CredentialPolicy::resolve_file(const std::string& path) const {
  if (path.empty()) return policy_refusal("credentials file must not be empty");
  std::error_code ec;
  fs::path resolved = canonical_credentials_path(path, ec);
  if (ec)
    return policy_refusal("credentials file " + path + " cannot be resolved: " + ec.message());
  if (std::string problem = check_resolved(resolved, path); !problem.empty()) {
    return policy_refusal(std::move(problem));
  }
  return resolved;
}

Status CredentialPolicy::check_opened(int fd, const std::string& path) const {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return policy_refusal("credentials file " + path + " is not a regular file");
  }
  struct statfs fs_info {};
  if (::fstatfs(fd, &fs_info) == 0 && (static_cast<long>(fs_info.f_type) == kProcSuperMagic ||
                                       static_cast<long>(fs_info.f_type) == kSysfsMagic)) {
    return policy_refusal("credentials file " + path + " is not allowed: it is on procfs or sysfs");
  }
  // The path the kernel opened, whatever a symlink pointed at in between.
  // Without /proc (some sandboxes) the check before the open stands alone.
  std::array<char, 4096> target{};
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t length = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (length <= 0) return Status::ok();
  std::string opened(target.data(), static_cast<size_t>(length));
  if (std::string problem = check_resolved(opened, path); !problem.empty()) {
    return policy_refusal(std::move(problem));
  }
  return Status::ok();
}

Status CredentialPolicy::check(const model::Credentials& credentials) const {
  if (credentials.env) {
    if (std::string problem = check_env(*credentials.env); !problem.empty()) {
      return policy_refusal(std::move(problem));
    }
  }
  if (credentials.file) {
    auto resolved = resolve_file(*credentials.file);
    if (!resolved) return resolved.status();
  }
  return Status::ok();
}

}  // namespace wsop::http
