#include "controller/manifest/rules.h"

#include <cctype>

namespace wsop::manifest {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
// Kubernetes' "qualified name" part: alphanumerics with '-', '_', '.' inside.
bool is_qualified_part(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool is_dns1123_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!check_dns1123_label(part).empty()) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

std::string check_dns1123_label(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > 63) return "must be at most 63 characters (DNS-1123 label)";
  bool ok = is_lower_alnum(value.front()) && is_lower_alnum(value.back());
  for (char c : value) ok = ok && (is_lower_alnum(c) || c == '-');
  if (!ok) {
    return "\"" + std::string(value) +
           "\" is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending "
           "with a letter or digit";
  }
  return {};
}

std::string check_label_key(std::string_view key) {
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!is_dns1123_subdomain(prefix)) {
      return "key prefix \"" + std::string(prefix) +
             "\" must be a DNS subdomain of at most 253 characters";
    }
  }
  if (!is_qualified_part(name)) {
    return "key \"" + std::string(key) +
           "\" is invalid: name part must be 1-63 alphanumerics with '-', '_' or '.' inside";
  }
  return {};
}

std::string check_label_value(std::string_view value) {
  if (value.empty()) return {};
  if (!is_qualified_part(value)) {
    return "value \"" + std::string(value) +
           "\" is invalid: at most 63 alphanumerics with '-', '_' or '.' inside";
  }
  return {};
}

std::string check_http_url(std::string_view value) {
  std::string_view rest;
  if (value.substr(0, 8) == "https://") {
    rest = value.substr(8);
  } else if (value.substr(0, 7) == "http://") {
    rest = value.substr(7);
  } else {
    return "must be an http:// or https:// URL";
  }
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty()) return "URL has no host";
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return "URL must not contain spaces or control characters";
  }
  if (host.find('@') != std::string_view::npos) {
    return "URL must not carry credentials; use spec.credentials";
  }
  return {};
}

std::string check_env_var_name(std::string_view value) {
  bool ok =
      !value.empty() && (std::isalpha(static_cast<unsigned char>(value[0])) || value[0] == '_');
  for (char c : value) ok = ok && (is_alnum(c) || c == '_');
  if (!ok) return "\"" + std::string(value) + "\" is not an environment variable name";
  return {};
}

std::string check_printable(std::string_view value, size_t max_length) {
  size_t characters = 0;
  for (unsigned char c : value) {
    if ((c & 0xC0) != 0x80) ++characters;  // count UTF-8 lead bytes only
    if (c < 0x20 || c == 0x7F) return "must not contain control characters";
  }
  if (characters > max_length) {
    return "must be at most " + std::to_string(max_length) + " characters (has " +
           std::to_string(characters) + ")";
  }
  return {};
}

}  // namespace wsop::manifest

namespace wsop::manifest {
std::string check_multiline(std::string_view value, size_t max_length) {
  std::string flattened(value);
  for (char& c : flattened) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  return check_printable(flattened, max_length);
}
}  // namespace wsop::manifest

namespace wsop::manifest {
std::string check_dns1123_subdomain(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > 253) return "must be at most 253 characters (DNS-1123 subdomain)";
  // As Kubernetes checks a Secret's name (IsDNS1123Subdomain): labels of
  // any length inside the 253, unlike a label key's prefix.
  bool ok = true;
  size_t start = 0;
  while (ok && start <= value.size()) {
    size_t dot = value.find('.', start);
    std::string_view part = value.substr(start, dot == value.npos ? value.npos : dot - start);
    ok = !part.empty() && is_lower_alnum(part.front()) && is_lower_alnum(part.back());
    for (char c : part) ok = ok && (is_lower_alnum(c) || c == '-');
    if (dot == value.npos) break;
    start = dot + 1;
  }
  if (!ok) {
    return "\"" + std::string(value) +
           "\" is not a DNS-1123 subdomain: dot-separated labels of lower-case letters, digits "
           "and '-', each starting and ending with a letter or digit";
  }
  return {};
}

// Kubernetes' rule for Secret and ConfigMap keys (they become file names
// when the Secret is mounted, hence no "." or "..").
std::string check_secret_key(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > 253) return "must be at most 253 characters";
  for (char c : value) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return "\"" + std::string(value) +
             "\" is not a Secret key: letters, digits, '-', '_' and '.' only";
    }
  }
  if (value == "." || value.substr(0, 2) == "..") {
    return "must not be '.' nor start with '..'";
  }
  return {};
}
}  // namespace wsop::manifest
