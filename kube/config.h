// Where the Kubernetes API server is and how to authenticate to it, found
// the way kubectl finds it:
//   1. an explicit --kubeconfig file (it must exist; used alone);
//   2. else $KUBECONFIG, a colon-separated list of files, merged as kubectl
//      merges them: missing files are skipped, the first file to set
//      current-context wins, and the first file to define a cluster, context
//      or user of a given name wins that name whole;
//   3. else ~/.kube/config when it exists;
//   4. else in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT,
//      the service account's ca.crt, token and namespace files.
// From the current context (or the one named by an override) come the
// cluster's server, certificate-authority (file or -data, the data winning
// as in client-go), insecure-skip-tls-verify and tls-server-name, and the
// user's token, tokenFile (which wins over token, as in client-go),
// client-certificate and client-key (file or -data). Relative paths are
// resolved against the directory of the kubeconfig file that named them.
// Plugins (exec, auth-provider) and basic auth are refused with an error
// naming the field.
//
// Errors name the file and the field path ("~/.kube/config:
// contexts[0].context.cluster "x" not found"); they never contain a token,
// key or certificate value. A RestConfig holds secrets (token, key data):
// never log or print it whole.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace wsop::kube {

struct RestConfig {
  std::string server;           // "https://host:port", perhaps with a path prefix
  std::string tls_server_name;  // the name the certificate must carry; empty: server's host
  std::string ca_file;          // PEM file; ca_file and ca_data empty: the system trust store
  std::string ca_data;          // PEM bytes (certificate-authority-data, decoded)
  bool insecure_skip_tls_verify = false;
  std::string client_cert_file;
  std::string client_cert_data;  // PEM bytes
  std::string client_key_file;
  std::string client_key_data;  // PEM bytes: a secret
  std::string token;            // a static bearer token: a secret
  std::string token_file;       // re-read as the kubelet rotates it (token.h); wins over token
  std::string namespace_name;   // the context's namespace, or the service account's; may be empty
  std::string origin;           // for logs: "kubeconfig FILE, context NAME" or "in-cluster"
};

// Reads an environment variable; nullopt when unset.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;

struct ConfigSources {
  std::string kubeconfig;  // --kubeconfig; empty: look further
  std::string context;     // --context; empty: the current-context
  // Null: the process environment. Read: KUBECONFIG, HOME,
  // KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT.
  GetEnv getenv;
  // Injectable for tests.
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// The configuration found by the precedence above. kInvalid for a broken
// file or field; kNotFound when there is no configuration at all.
Outcome<RestConfig> load_config(const ConfigSources& sources);

// The steps, for tests and for callers that know which one they want.
// Files are merged in order (see above); a missing file is skipped unless
// it is the only one (an explicit --kubeconfig).
Outcome<RestConfig> load_kubeconfig(const std::vector<std::string>& files,
                                    const std::string& context_override);
Outcome<RestConfig> load_in_cluster(const GetEnv& getenv, const std::string& service_account_dir);

// Standard base64 (RFC 4648, padding optional, whitespace ignored); nullopt
// when the text is not base64.
// Standard base64 (RFC 4648 section 4) with its padding, strictly: no
// whitespace, no missing or misplaced '=' (a Secret's data, as the API
// server writes it). nullopt when text is not that.
std::optional<std::string> decode_base64_strict(std::string_view text);
// The same, as kubeconfig files are written by hand: whitespace skipped and
// missing padding allowed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace wsop::kube
