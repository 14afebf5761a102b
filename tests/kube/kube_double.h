// The Kubernetes API double (tests/kube/kube_api_double.py) as a C++ test
// fixture: starts it as a subprocess (Debian's /usr/bin/python3) on a free
// 127.0.0.1 port, waits until it listens, writes a kubeconfig pointing at it
// (server, the CA when TLS, the bearer token, namespace default), and kills
// it on destruction. The admin calls are the double's /_double/ hooks; the
// script's header is the contract of the API it serves.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/common/http/test_client.h"
#include "tests/common/http/tls_files.h"
#include "tests/e2e/run_wsctl.h"

namespace wsop::kubetest {

inline constexpr const char* kDefaultToken = "kube-double-token";
inline constexpr const char* kKubectl = "/usr/bin/kubectl";  // 1.32 on the project's machines

struct KubeDoubleOptions {
  // Bearer tokens the double accepts; empty: no authentication at all.
  std::vector<std::string> tokens = {kDefaultToken};
  // HTTPS with a throw-away self-signed certificate for 127.0.0.1 (the
  // kubeconfig carries it as certificate-authority-data). kubectl sends a
  // token only over TLS, as a client that fails closed should.
  bool tls = true;
  // CRDs served from start: empty means <source>/manifests/crds, "none" none.
  std::string crds_dir;
  int history = 10000;                   // watch events kept for resuming
  double bookmark_interval_seconds = 1;  // BOOKMARK period (kube-apiserver: about 60)
  bool auto_create_namespaces = false;   // true: no 404 for a missing namespace
  std::vector<std::string> extra_args;   // more command-line flags of the script
};

class KubeDouble {
 public:
  explicit KubeDouble(KubeDoubleOptions options = {});
  ~KubeDouble();  // stop()
  KubeDouble(const KubeDouble&) = delete;
  KubeDouble& operator=(const KubeDouble&) = delete;

  // Starts the double and waits (up to 30 s) until it listens. Not ok when
  // python3 or the script is missing or it exits early (its stderr is in the
  // message).
  Status start();
  // SIGTERM, then SIGKILL after 5 s; safe to call twice.
  void stop();
  bool running() const { return pid_ > 0; }

  const std::string& url() const { return url_; }  // http(s)://127.0.0.1:PORT
  int port() const { return port_; }
  const std::string& kubeconfig_path() const { return kubeconfig_; }
  // The first accepted token; "" without authentication.
  const std::string& token() const { return token_; }
  // The CA file to trust (TLS only; "" otherwise).
  std::string ca_file() const;
  const std::string& dir() const { return dir_; }  // scratch directory, removed on stop
  std::string log() const;                         // what the double wrote to stderr

  // An HTTP client for the API, with the token (TLS without verification).
  simtest::Client client() const;
  // One request to the API (path like "/api/v1/namespaces"); the body is JSON.
  simtest::Reply request(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr,
                         const std::string& content_type = "application/json") const;

  // Test hooks.
  Outcome<nlohmann::json> stats() const;  // see /_double/stats in the script
  Status reset_stats() const;
  Status drop_watches(bool abrupt = true) const;  // abrupt: connections closed, no final chunk
  // Every open watch gets an ERROR event with a 410 Expired Status, then ends.
  Status expire_watches() const;
  Outcome<std::string> compact() const;  // the resourceVersion compacted to
  // Fails a share of the matching requests, e.g. {{"ratio", 0.5}, {"code", 500}}
  // or {{"count", 3}, {"code", 429}, {"retryAfter", 1}, {"verbs", {"update"}}};
  // {"delaySeconds", 2} answers them late ({"code", 0}: late but not failed).
  // See /_double/fail in kube_api_double.py.
  Status fail(const nlohmann::json& spec) const;
  Status stop_failing() const { return fail(nlohmann::json::object()); }
  Status set_tokens(const std::vector<std::string>& tokens) const;

  // Convenience: creates a namespace (ok when it exists already).
  Status create_namespace(const std::string& name) const;

  // Runs the real kubectl (kKubectl) with --kubeconfig kubeconfig_path() and a
  // discovery cache of this double's own; stdin is /dev/null.
  e2e::RunResult kubectl(const std::vector<std::string>& args) const;

 private:
  Outcome<nlohmann::json> hook(const std::string& method, const std::string& name,
                               const nlohmann::json& body) const;

  KubeDoubleOptions options_;
  std::unique_ptr<simtest::TlsFiles> tls_;
  std::string dir_, kubeconfig_, token_, url_, err_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The script's path in the source tree.
std::string kube_double_script();

}  // namespace wsop::kubetest
