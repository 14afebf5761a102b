#include "kube/config.h"

#include <openssl/evp.h>

#include <climits>
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

bool is_base64_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// How many '=' end text, or -1 when any '=' stands elsewhere or a character
// is outside the alphabet.
int base64_padding(std::string_view text) {
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  for (size_t i = 0; i + padding < text.size(); ++i) {
    if (!is_base64_alphabet(text[i])) return -1;
  }
  return static_cast<int>(padding);
}

}  // namespace

std::optional<std::string> decode_base64_strict(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > static_cast<size_t>(INT_MAX)) return std::nullopt;
  int padding = base64_padding(text);
  if (padding < 0) return std::nullopt;
  if (text.empty()) return std::string();
  // EVP_DecodeBlock decodes whole quanta and counts the bytes that padding
  // stands for, which are not part of the value.
  std::string out(text.size() / 4 * 3, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0 || static_cast<size_t>(written) != out.size()) return std::nullopt;
  out.resize(out.size() - static_cast<size_t>(padding));
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact.push_back(c);
  }
  if (compact.size() % 4 == 1) return std::nullopt;  // a lone sextet cannot end a byte
  while (compact.size() % 4 != 0) compact.push_back('=');
  return decode_base64_strict(compact);
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
