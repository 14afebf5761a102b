#include "tests/kube/kube_double.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace wsop::kubetest {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-yaml

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status status_of_reply(const simtest::Reply& reply, const std::string& what) {
  if (reply.status == 200) return Status::ok();
  return Status::error(Code::kInternal, what + ": HTTP " + std::to_string(reply.status) + " " +
                                            reply.error + " " + reply.body);
}

}  // namespace

std::string kube_double_script() {
  return WSOP_SOURCE_DIR "/tests/kube/kube_api_double.py";
}

KubeDouble::KubeDouble(KubeDoubleOptions options) : options_(std::move(options)) {}

KubeDouble::~KubeDouble() {
  stop();
}

std::string KubeDouble::ca_file() const {
  return tls_ ? tls_->cert_file() : std::string();
}

std::string KubeDouble::log() const {
  return read_whole_file(err_path_);
}

Status KubeDouble::start() {
  if (running()) return Status::ok();
  if (access(kPython, X_OK) != 0) {
    return Status::error(Code::kInternal, std::string(kPython) + " is missing (scripts/deps.sh)");
  }
  std::string pattern =
      (std::filesystem::temp_directory_path() / "wsop-kube-double-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return Status::error(Code::kInternal, "mkdtemp failed");
  dir_ = pattern;
  kubeconfig_ = dir_ + "/kubeconfig";
  std::string port_file = dir_ + "/port";
  std::vector<std::string> args = {kube_double_script(),
                                   "--port",
                                   "0",
                                   "--port-file",
                                   port_file,
                                   "--kubeconfig-out",
                                   kubeconfig_,
                                   "--history",
                                   std::to_string(options_.history),
                                   "--bookmark-interval",
                                   std::to_string(options_.bookmark_interval_seconds)};
  args.push_back("--crds");
  args.push_back(options_.crds_dir.empty() ? WSOP_SOURCE_DIR "/manifests/crds" : options_.crds_dir);
  for (const auto& token : options_.tokens) {
    args.push_back("--token");
    args.push_back(token);
  }
  token_ = options_.tokens.empty() ? "" : options_.tokens.front();
  if (options_.tls) {
    tls_ = std::make_unique<simtest::TlsFiles>();
    if (!tls_->ok()) return Status::error(Code::kInternal, "could not make a TLS certificate");
    args.insert(args.end(), {"--tls-cert", tls_->cert_file(), "--tls-key", tls_->key_file()});
  }
  if (options_.auto_create_namespaces) args.push_back("--auto-create-namespaces");
  args.push_back("--exit-with-parent");  // a crashed test leaves no server behind
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  e2e::StartedProgram started = e2e::start_program(kPython, args, dir_);
  pid_ = started.pid;
  err_path_ = started.err_path;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::error(Code::kInternal, "the Kubernetes API double exited: " + log());
    }
    std::string port = read_whole_file(port_file);
    if (!port.empty() && port.back() == '\n') {
      port_ = std::stoi(port);
      url_ = std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
      return Status::ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return Status::error(Code::kTransient, "the Kubernetes API double did not listen within 30 s");
}

void KubeDouble::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    e2e::StartedProgram started;
    started.pid = pid_;
    started.out_path = dir_ + "/unused.out";
    started.err_path = err_path_;
    (void)e2e::finish_program(started, std::chrono::seconds(5));
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
  tls_.reset();
}

simtest::Client KubeDouble::client() const {
  return simtest::Client(url_, token_);
}

simtest::Reply KubeDouble::request(const std::string& method, const std::string& path,
                                   const nlohmann::json& body,
                                   const std::string& content_type) const {
  simtest::Client api = client();
  std::string text = body.is_null() ? std::string() : body.dump();
  return api.request(method, path, text, {{"Content-Type", content_type}});
}

Outcome<nlohmann::json> KubeDouble::hook(const std::string& method, const std::string& name,
                                         const nlohmann::json& body) const {
  simtest::Client admin(url_, "");
  simtest::Reply reply = admin.request(method, "/_double/" + name, body.dump());
  if (Status status = status_of_reply(reply, name); !status) return status;
  nlohmann::json parsed = reply.json();
  if (parsed.is_null()) return Status::error(Code::kInternal, name + ": not JSON: " + reply.body);
  return parsed;
}

Outcome<nlohmann::json> KubeDouble::stats() const {
  return hook("GET", "stats", nlohmann::json::object());
}

Status KubeDouble::reset_stats() const {
  return hook("POST", "reset-stats", nlohmann::json::object()).status();
}

Status KubeDouble::drop_watches(bool abrupt) const {
  return hook("POST", "drop-watches", {{"mode", abrupt ? "close" : "end"}}).status();
}

Status KubeDouble::expire_watches() const {
  return hook("POST", "drop-watches", {{"mode", "gone"}}).status();
}

Outcome<std::string> KubeDouble::compact() const {
  auto answer = hook("POST", "compact", nlohmann::json::object());
  if (!answer.is_ok()) return answer.status();
  return answer.value().value("compactedTo", std::string());
}

Status KubeDouble::fail(const nlohmann::json& spec) const {
  return hook("POST", "fail", spec).status();
}

Status KubeDouble::set_tokens(const std::vector<std::string>& tokens) const {
  return hook("POST", "tokens", {{"tokens", tokens}}).status();
}

Status KubeDouble::create_namespace(const std::string& name) const {
  simtest::Reply reply =
      request("POST", "/api/v1/namespaces",
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  if (reply.status == 201 || reply.status == 409) return Status::ok();
  return Status::error(Code::kInternal, "create namespace " + name + ": HTTP " +
                                            std::to_string(reply.status) + " " + reply.body);
}

e2e::RunResult KubeDouble::kubectl(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir",
                                   dir_ + "/kubectl-cache"};
  full.insert(full.end(), args.begin(), args.end());
  return e2e::run_program(kKubectl, full, dir_);
}

}  // namespace wsop::kubetest
