#include "kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace wsop::kube::detail {
namespace {

namespace fs = std::filesystem;

// One named cluster, context or user, and where it was read.
struct Entry {
  YAML::Node body;    // the "cluster", "context" or "user" map
  std::string file;   // display name of its file
  std::string dir;    // its file's directory, for relative paths
  std::string where;  // "clusters[0].cluster"
};

struct Merged {
  std::string current_context;
  std::string current_context_file;
  std::map<std::string, Entry> clusters, contexts, users;
};

Status config_error(const std::string& file, const std::string& what) {
  return Status::error(Code::kInvalid, file + ": " + what);
}

// Reads list_key ("clusters") of root into `into`; a name defined already
// (by an earlier file, or earlier in this one) keeps its first definition.
Status read_named_list(const YAML::Node& root, const std::string& list_key,
                       const std::string& item_key, const KubeconfigFile& file,
                       std::map<std::string, Entry>& into) {
  YAML::Node list = root[list_key];
  if (!list || list.IsNull()) return Status::ok();
  if (!list.IsSequence()) return config_error(file.display, list_key + " must be a list");
  const std::string dir = fs::absolute(fs::path(file.path)).parent_path().string();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = list_key + "[" + std::to_string(i) + "]";
    YAML::Node item = list[i];
    if (!item.IsMap()) return config_error(file.display, at + " must be a map");
    YAML::Node name = item["name"];
    if (!name || !name.IsScalar() || name.Scalar().empty()) {
      return config_error(file.display, at + ".name is not set");
    }
    YAML::Node body = item[item_key];
    if (body && !body.IsNull() && !body.IsMap()) {
      return config_error(file.display, at + "." + item_key + " must be a map");
    }
    into.emplace(name.Scalar(), Entry{body ? body : YAML::Node(YAML::NodeType::Map), file.display,
                                      dir, at + "." + item_key});
  }
  return Status::ok();
}

Status parse_document(const std::string& text, const KubeconfigFile& file, Merged& merged) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return config_error(file.display, "line " + std::to_string(e.mark.line + 1) + ", column " +
                                          std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return Status::ok();  // an empty file, as kubectl allows
  if (!root.IsMap()) return config_error(file.display, "not a kubeconfig (a map was expected)");
  YAML::Node current = root["current-context"];
  if (current && current.IsScalar() && !current.Scalar().empty() &&
      merged.current_context.empty()) {
    merged.current_context = current.Scalar();
    merged.current_context_file = file.display;
  }
  Status status = read_named_list(root, "clusters", "cluster", file, merged.clusters);
  if (status) status = read_named_list(root, "contexts", "context", file, merged.contexts);
  if (status) status = read_named_list(root, "users", "user", file, merged.users);
  return status;
}

Status read_file(const KubeconfigFile& file, Merged& merged) {
  std::error_code ec;
  if (!fs::exists(file.path, ec)) {
    if (!file.required) return Status::ok();
    return Status::error(Code::kNotFound, file.display + ": no such file");
  }
  std::ifstream in(file.path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return config_error(file.display, "cannot be read");
  // yaml-cpp rejects nothing a kubeconfig needs; what it throws is caught in
  // parse_document, so no exception leaves this folder.
  try {
    return parse_document(text.str(), file, merged);
  } catch (const YAML::Exception& e) {
    return config_error(file.display, e.msg);
  }
}

// A string field of an entry; "" when absent. error is set when the field
// is not a scalar. Never copies the value into a message.
std::string string_field(const Entry& entry, const std::string& key, Status& error) {
  YAML::Node node = entry.body[key];
  if (!node || node.IsNull()) return "";
  if (!node.IsScalar()) {
    if (error) error = config_error(entry.file, entry.where + "." + key + " must be a string");
    return "";
  }
  return node.Scalar();
}

std::string path_field(const Entry& entry, const std::string& key, Status& error) {
  std::string value = string_field(entry, key, error);
  if (value.empty() || fs::path(value).is_absolute()) return value;
  return (fs::path(entry.dir) / value).lexically_normal().string();
}

std::string data_field(const Entry& entry, const std::string& key, Status& error) {
  std::string value = string_field(entry, key, error);
  if (value.empty()) return "";
  std::optional<std::string> decoded = decode_base64(value);
  if (!decoded && error) {
    error = config_error(entry.file, entry.where + "." + key + " is not valid base64");
  }
  return decoded.value_or("");
}

bool bool_field(const Entry& entry, const std::string& key, Status& error) {
  std::string value = string_field(entry, key, error);
  if (value.empty() || value == "false") return false;
  if (value == "true") return true;
  if (error) error = config_error(entry.file, entry.where + "." + key + " must be true or false");
  return false;
}

Status apply_cluster(const Entry& cluster, RestConfig& config) {
  Status error;
  config.server = string_field(cluster, "server", error);
  config.tls_server_name = string_field(cluster, "tls-server-name", error);
  config.ca_file = path_field(cluster, "certificate-authority", error);
  config.ca_data = data_field(cluster, "certificate-authority-data", error);
  config.insecure_skip_tls_verify = bool_field(cluster, "insecure-skip-tls-verify", error);
  if (!error) return error;
  if (config.server.empty())
    return config_error(cluster.file, cluster.where + ".server is not set");
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return config_error(cluster.file, cluster.where + ".server \"" + config.server +
                                          "\" is not an http:// or https:// URL");
  }
  if (!config.ca_data.empty()) config.ca_file.clear();  // client-go: the data wins
  if (config.insecure_skip_tls_verify && (!config.ca_file.empty() || !config.ca_data.empty())) {
    // kubectl's rule: a CA and skipping verification contradict each other.
    return config_error(cluster.file, cluster.where +
                                          ": certificate-authority and insecure-skip-tls-verify "
                                          "are both set");
  }
  if (YAML::Node proxy = cluster.body["proxy-url"]; proxy && !proxy.IsNull()) {
    return config_error(cluster.file, cluster.where + ".proxy-url is not supported");
  }
  return Status::ok();
}

Status apply_user(const Entry& user, RestConfig& config) {
  for (const char* unsupported : {"exec", "auth-provider", "username", "password", "as"}) {
    if (user.body[unsupported] && !user.body[unsupported].IsNull()) {
      return config_error(user.file, user.where + "." + unsupported + " is not supported");
    }
  }
  Status error;
  config.token = string_field(user, "token", error);
  config.token_file = path_field(user, "tokenFile", error);
  config.client_cert_file = path_field(user, "client-certificate", error);
  config.client_cert_data = data_field(user, "client-certificate-data", error);
  config.client_key_file = path_field(user, "client-key", error);
  config.client_key_data = data_field(user, "client-key-data", error);
  if (!error) return error;
  if (!config.client_cert_data.empty()) config.client_cert_file.clear();
  if (!config.client_key_data.empty()) config.client_key_file.clear();
  bool has_cert = !config.client_cert_file.empty() || !config.client_cert_data.empty();
  bool has_key = !config.client_key_file.empty() || !config.client_key_data.empty();
  if (has_cert != has_key) {
    return config_error(user.file, user.where +
                                       ": client-certificate and client-key must be set "
                                       "together");
  }
  return Status::ok();
}

// The entry `reference_key` of a context names, in `entries`.
Outcome<const Entry*> referenced(const Entry& context, const std::string& reference_key,
                                 const std::map<std::string, Entry>& entries, bool required) {
  Status error;
  std::string name = string_field(context, reference_key, error);
  if (!error) return error;
  if (name.empty()) {
    if (!required) return static_cast<const Entry*>(nullptr);
    return config_error(context.file, context.where + "." + reference_key + " is not set");
  }
  auto found = entries.find(name);
  if (found == entries.end()) {
    return config_error(context.file,
                        context.where + "." + reference_key + " \"" + name + "\" not found");
  }
  return &found->second;
}

Outcome<RestConfig> resolve(const Merged& merged, const std::string& context_override,
                            const std::string& files) {
  const std::string& name = context_override.empty() ? merged.current_context : context_override;
  if (name.empty()) return config_error(files, "current-context is not set and no context named");
  auto context = merged.contexts.find(name);
  if (context == merged.contexts.end()) {
    return context_override.empty() ? config_error(merged.current_context_file,
                                                   "current-context \"" + name + "\" not found")
                                    : config_error(files, "context \"" + name + "\" not found");
  }
  Outcome<const Entry*> cluster = referenced(context->second, "cluster", merged.clusters, true);
  if (!cluster) return cluster.status();
  Outcome<const Entry*> user = referenced(context->second, "user", merged.users, false);
  if (!user) return user.status();
  RestConfig config;
  Status error;
  config.namespace_name = string_field(context->second, "namespace", error);
  if (error) error = apply_cluster(**cluster, config);
  if (error && *user) error = apply_user(**user, config);
  if (!error) return error;
  config.origin = "kubeconfig " + context->second.file + ", context " + name;
  return config;
}

}  // namespace

Outcome<RestConfig> load_kubeconfig_files(const std::vector<KubeconfigFile>& files,
                                          const std::string& context_override) {
  Merged merged;
  std::string names;
  for (const KubeconfigFile& file : files) {
    Status status = read_file(file, merged);
    if (!status) return status;
    names += (names.empty() ? "" : ":") + file.display;
  }
  return resolve(merged, context_override, names);
}

}  // namespace wsop::kube::detail
