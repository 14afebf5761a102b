#include "kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text.h"
#include "kube/kubeconfig.h"

namespace wsop::kube {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> process_getenv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

std::string non_empty_env(const GetEnv& getenv, const std::string& name) {
  std::optional<std::string> value = getenv(name);
  return value ? *value : "";
}

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int value = base64_value(c);
    if (value < 0 || padding) return std::nullopt;  // a stray character, or data after '='
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone sextet cannot end a byte
  return out;
}

Outcome<RestConfig> load_kubeconfig(const std::vector<std::string>& files,
                                    const std::string& context_override) {
  std::vector<detail::KubeconfigFile> list;
  for (const std::string& file : files) list.push_back({file, file, files.size() == 1});
  return detail::load_kubeconfig_files(list, context_override);
}

Outcome<RestConfig> load_in_cluster(const GetEnv& getenv, const std::string& service_account_dir) {
  std::string host = non_empty_env(getenv, "KUBERNETES_SERVICE_HOST");
  std::string port = non_empty_env(getenv, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return Status::error(Code::kNotFound,
                         "not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                         "are not both set");
  }
  RestConfig config;
  bool ipv6 = host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  const fs::path dir(service_account_dir);
  config.ca_file = (dir / "ca.crt").string();
  config.token_file = (dir / "token").string();
  std::error_code ec;
  for (const std::string& file : {config.ca_file, config.token_file}) {
    if (!fs::is_regular_file(file, ec)) {
      return Status::error(Code::kInvalid, "in-cluster configuration: " + file + " is missing");
    }
  }
  std::ifstream namespace_file(dir / "namespace");
  if (namespace_file) {
    std::stringstream text;
    text << namespace_file.rdbuf();
    config.namespace_name = std::string(trim_whitespace(text.str()));
  }
  config.origin = "in-cluster";
  return config;
}

Outcome<RestConfig> load_config(const ConfigSources& sources) {
  const GetEnv getenv = sources.getenv ? sources.getenv : GetEnv(process_getenv);
  if (!sources.kubeconfig.empty()) {
    return detail::load_kubeconfig_files({{sources.kubeconfig, sources.kubeconfig, true}},
                                         sources.context);
  }
  if (std::string list = non_empty_env(getenv, "KUBECONFIG"); !list.empty()) {
    std::vector<detail::KubeconfigFile> files;
    for (const std::string& path : split_list(list, ':')) files.push_back({path, path, false});
    return detail::load_kubeconfig_files(files, sources.context);
  }
  if (std::string home = non_empty_env(getenv, "HOME"); !home.empty()) {
    const std::string path = (fs::path(home) / ".kube" / "config").string();
    std::error_code ec;
    if (fs::exists(path, ec)) {
      return detail::load_kubeconfig_files({{path, "~/.kube/config", true}}, sources.context);
    }
  }
  Outcome<RestConfig> in_cluster = load_in_cluster(getenv, sources.service_account_dir);
  if (!in_cluster && in_cluster.status().code() == Code::kNotFound) {
    return Status::error(Code::kNotFound,
                         "no Kubernetes configuration: no --kubeconfig, $KUBECONFIG or "
                         "~/.kube/config, and " +
                             in_cluster.status().message());
  }
  return in_cluster;
}

}  // namespace wsop::kube
