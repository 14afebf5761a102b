// wsctl controller: reconcile the sources forever (ARCHITECTURE.md section 2)
// until SIGTERM or SIGINT: directories and git checkouts with a local state
// store (runtime::Manager), or with --source kubernetes the cluster's
// resources, keeping state on them (runtime::KubeManager). The first signal stops taking work and
// lets in-flight reconciles finish within --shutdown-grace; a second exits at once (the create
// journal still prevents duplicates after that).
#include <malloc.h>
#include <signal.h>

#include <cstdlib>

#include <future>
#include <ostream>

#include "cmd/wsctl/options.h"
#include "common/duration.h"
#include "controller/manifest/rules.h"
#include "controller/observability/logging.h"
#include "controller/runtime/kube_manager.h"
#include "controller/runtime/manager.h"
#include "controller/runtime/worker_sizing.h"
#include "controller/state/backup_schedule.h"

namespace wsop::cli {
namespace {

// ":8080" -> ("0.0.0.0", 8080); "127.0.0.1:0" -> ("127.0.0.1", 0).
bool parse_listen_address(const std::string& text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    size_t used = 0;
    int value = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || value < 0 || value > 65535) return false;
    port = static_cast<uint16_t>(value);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// --backup-dir, --backup-every, --backup-keep: nullopt when no backup is
// asked for or on an error (then `exit` is set).
std::optional<state::BackupScheduleOptions> read_backup_options(const po::variables_map& values,
                                                                const std::string& state_path,
                                                                std::optional<int>& exit, Io io) {
  auto fail = [&](const std::string& message) {
    io.err << "wsctl controller: " << message << "\n";
    exit = kExitInvalid;
    return std::nullopt;
  };
  if (!values.count("backup-dir")) return std::nullopt;
  state::BackupScheduleOptions backup;
  backup.state_path = state_path;
  backup.directory = values["backup-dir"].as<std::string>();
  if (backup.directory.empty()) return fail("--backup-dir must not be empty");
  auto every = parse_duration(values["backup-every"].as<std::string>());
  if (!every || every->count() < 1000) return fail("--backup-every must be at least 1s");
  backup.every = *every;
  backup.keep = values["backup-keep"].as<int>();
  if (backup.keep < 1 || backup.keep > 10000) return fail("--backup-keep must be 1 to 10000");
  return backup;
}

// Each scheduled backup, in the log: where it went, or why it failed.
void log_backup(const Outcome<std::string>& written) {
  if (written) {
    observability::log_info("state backed up", {{"file", *written}});
  } else {
    observability::log_warn("state backup failed", {{"error", written.status().message()}});
  }
}

std::optional<int> read_options(const po::variables_map& values, runtime::ManagerOptions& out,
                                Io io) {
  auto fail = [&](const std::string& message) {
    io.err << "wsctl controller: " << message << "\n";
    return std::optional<int>(kExitInvalid);
  };
  if (!values.count("source")) {
    return fail("at least one --source DIR (or --source kubernetes) is required");
  }
  out.sources = values["source"].as<std::vector<std::string>>();
  out.state_path = values["state"].as<std::string>();
  out.init_state = values["init"].as<bool>();
  out.workers = values["workers"].as<int>();
  if (out.workers < 0 || out.workers > runtime::kMaxWorkers) {
    return fail("--workers must be between 1 and " + std::to_string(runtime::kMaxWorkers) +
                ", or 0 for enough to keep every ProviderConfig's rate limit busy");
  }
  auto resync = parse_duration(values["resync"].as<std::string>());
  if (!resync || resync->count() < 1000) return fail("--resync must be a duration of at least 1s");
  out.resync = *resync;
  auto grace = parse_duration(values["shutdown-grace"].as<std::string>());
  if (!grace) return fail("--shutdown-grace: " + grace.status().message());
  out.shutdown_grace = *grace;
  auto poll = parse_duration(values["source-poll"].as<std::string>());
  if (!poll || poll->count() < 100)
    return fail("--source-poll must be a duration of at least 100ms");
  out.source_poll = *poll;
  if (!parse_listen_address(values["metrics-addr"].as<std::string>(), out.metrics_address,
                            out.metrics_port)) {
    return fail("--metrics-addr must look like :8080 or 127.0.0.1:8080");
  }
  out.instance_id = values["instance-id"].as<std::string>();
  if (auto problem = manifest::check_label_value(out.instance_id);
      !problem.empty() || out.instance_id.empty()) {
    return fail("--instance-id: " + (problem.empty() ? std::string("must not be empty") : problem));
  }
  if (auto exit = credential_policy_from(values, "controller", out.credentials, io)) return exit;
  out.prune = values["prune"].as<bool>();
  out.max_prune_percent = values["max-prune"].as<int>();
  auto stall = parse_duration(values["stall-timeout"].as<std::string>());
  if (!stall) return fail("--stall-timeout: " + stall.status().message());
  out.stall_timeout = *stall;
  int connections = values["max-connections"].as<int>();
  if (connections < 1) return fail("--max-connections must be at least 1");
  out.max_connections = static_cast<size_t>(connections);
  return std::nullopt;
}

// --source kubernetes: the desired state is the cluster's Workspace and
// ProviderConfig resources (a directory of that name is ./kubernetes).
bool is_kubernetes_source(const po::variables_map& values) {
  if (!values.count("source")) return false;
  const auto& sources = values["source"].as<std::vector<std::string>>();
  return sources.size() == 1 && sources.front() == "kubernetes";
}

void add_kubernetes_options(po::options_description& options) {
  options.add_options()("kubeconfig", po::value<std::string>(),
                        "kubernetes mode: the kubeconfig (else $KUBECONFIG, ~/.kube/config, "
                        "in-cluster)")(
      "namespace", po::value<std::vector<std::string>>()->composing(),
      "kubernetes mode: watch Workspaces in this namespace (repeatable; default: all)")(
      "leader-elect", po::bool_switch(),
      "kubernetes mode: run as one of several replicas; only the Lease holder writes")(
      "leader-election-namespace", po::value<std::string>(),
      "namespace of the Lease (default: the kubeconfig's or the pod's namespace)")(
      "leader-election-id", po::value<std::string>()->default_value("workspace-operator"),
      "name of the Lease");
}

std::optional<int> read_kube_options(const po::variables_map& values,
                                     runtime::KubeManagerOptions& out, Io io) {
  auto fail = [&](const std::string& message) {
    io.err << "wsctl controller: " << message << "\n";
    return std::optional<int>(kExitInvalid);
  };
  // Kubernetes mode keeps no local state and reads no directory.
  for (const char* flag :
       {"state", "init", "source-poll", "backup-dir", "backup-every", "backup-keep"}) {
    if (values.count(flag) && !values[flag].defaulted()) {
      return fail(std::string("--") + flag +
                  " is for sources of files; --source kubernetes keeps no local state");
    }
  }
  runtime::ManagerOptions common;
  if (auto exit = read_options(values, common, io)) return exit;
  out.workers = common.workers;
  out.resync = common.resync;
  out.metrics_address = common.metrics_address;
  out.metrics_port = common.metrics_port;
  out.instance_id = common.instance_id;
  out.shutdown_grace = common.shutdown_grace;
  out.stall_timeout = common.stall_timeout;
  out.max_connections = common.max_connections;
  out.credentials = common.credentials;
  if (values.count("kubeconfig")) out.kube.kubeconfig = values["kubeconfig"].as<std::string>();
  if (values.count("namespace")) {
    out.namespaces = values["namespace"].as<std::vector<std::string>>();
    for (const auto& ns : out.namespaces) {
      if (auto problem = manifest::check_label_value(ns); !problem.empty() || ns.empty()) {
        return fail("--namespace " + ns + ": not a namespace name");
      }
    }
  }
  out.leader_elect = values["leader-elect"].as<bool>();
  if (values.count("leader-election-namespace")) {
    out.lease_namespace = values["leader-election-namespace"].as<std::string>();
  }
  out.lease_name = values["leader-election-id"].as<std::string>();
  if (out.lease_name.empty()) return fail("--leader-election-id must not be empty");
  return std::nullopt;
}

// Logging, the allocator and the descriptor limit, the same in every mode;
// the signals are blocked so that sigwait alone takes them.
std::optional<int> setup_process(const po::variables_map& values, Io io) {
  std::string format = values["log-format"].as<std::string>();
  if (format != "text" && format != "json") {
    io.err << "wsctl controller: --log-format must be text or json\n";
    return kExitInvalid;
  }
  Status logging = observability::setup_logging(
      format == "json" ? observability::LogFormat::kJson : observability::LogFormat::kText,
      values["log-level"].as<std::string>());
  if (!logging.is_ok()) {
    io.err << "wsctl controller: " << logging.message() << "\n";
    return kExitInvalid;
  }
#if defined(__GLIBC__)
  // glibc gives each busy thread its own heap arena (up to 8 per core) and
  // keeps their free pages: with dozens of workers that is most of the
  // resident memory. Two arenas are plenty for threads that mostly wait.
  mallopt(M_ARENA_MAX, 2);
  // A fixed mmap threshold: by default glibc raises it to the size of each
  // large block freed, so after the first big list (an Aether account is one
  // answer of a megabyte or more) such blocks come from the heap and leave
  // it fragmented at its peak. Mapped and unmapped each time, they do not:
  // 6 to 8 MiB less at 10,000 workspaces.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
#endif
  // The metrics server's connections, provider connections and the store
  // share one descriptor limit; its soft default is often 1,024 of a far
  // higher hard limit (common/http/server.h).
  if (auto limit = http::raise_descriptor_limit()) {
    observability::log_debug("descriptor limit", {{"soft", std::to_string(limit->soft)},
                                                  {"was", std::to_string(limit->before)},
                                                  {"hard", std::to_string(limit->hard)}});
  } else {
    observability::log_debug("descriptor limit unchanged", {{"error", limit.status().message()}});
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return std::nullopt;
}

// Starts the manager and serves until SIGTERM or SIGINT. SIGHUP asks for a
// resync now; a second stop signal exits at once (the create journal still
// prevents duplicates after that).
template <typename AnyManager>
int serve_until_signal(AnyManager& manager, const state::BackupScheduleOptions* backup_options,
                       Io io) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  if (Status s = manager.start(); !s.is_ok()) {
    io.err << "wsctl controller: " << s.message() << "\n";
    return kExitInvalid;
  }
  std::optional<state::BackupSchedule> backups;
  if (backup_options) {
    backups.emplace(*backup_options, log_backup);
    backups->start();
  }
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    observability::log_info("SIGHUP received: resyncing");
    manager.request_resync();
  }
  observability::log_info("signal received: stopping", {{"signal", std::to_string(signal_number)}});
  if (backups) backups->stop();
  auto stopped = std::async(std::launch::async, [&manager] { return manager.stop(); });
  while (stopped.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    timespec poll{0, 0};
    int second = sigtimedwait(&signals, nullptr, &poll);
    if (second > 0 && second != SIGHUP) {
      observability::log_warn("second signal: exiting at once");
      std::_Exit(130);
    }
  }
  // A call still blocked on a socket runs inside the manager: destroying it
  // (or running static destructors) under that thread is not safe, and the
  // shutdown is complete as far as the grace period allows.
  if (!stopped.get()) std::_Exit(kExitOk);
  return kExitOk;
}

}  // namespace

int run_controller(const Args& args, Io io) {
  po::options_description options("Options");
  options.add_options()("source", po::value<std::vector<std::string>>()->composing(),
                        "manifest directory (repeatable; a git checkout or git-sync link)")(
      "state", po::value<std::string>()->default_value("./.wsctl/state.db"), "state store file")(
      "init", po::bool_switch(),
      "start a new state store even where --state names an existing file that holds none")(
      "workers", po::value<int>()->default_value(0),
      "concurrent reconciles (0: qps x 0.3 summed over the ProviderConfigs, at most 256)")(
      "resync", po::value<std::string>()->default_value("10m"),
      "re-observe every provider this often (+-10%)")(
      "metrics-addr", po::value<std::string>()->default_value(":8080"),
      "address of /metrics, /healthz, /readyz, /api/v1/workspaces")(
      "instance-id", po::value<std::string>()->default_value("default"), "this operator instance")(
      "prune", po::bool_switch(), "delete workspaces that leave the source (per deletionPolicy)")(
      "max-prune", po::value<int>()->default_value(50),
      "refuse a revision that prunes more than this % of managed workspaces")(
      "shutdown-grace", po::value<std::string>()->default_value("30s"),
      "time in-flight reconciles get on SIGTERM")("source-poll",
                                                  po::value<std::string>()->default_value("10s"),
                                                  "polling fallback of the source watcher")(
      "backup-dir", po::value<std::string>(),
      "write a consistent copy of the state store here every --backup-every")(
      "backup-every", po::value<std::string>()->default_value("6h"), "interval of the backups")(
      "backup-keep", po::value<int>()->default_value(7), "backups kept in --backup-dir")(
      "stall-timeout", po::value<std::string>()->default_value("10m"),
      "/healthz fails once a loop is stuck in one turn this long (0: never)")(
      "max-connections", po::value<int>()->default_value(256),
      "connections the metrics server serves at once")(
      "log-format", po::value<std::string>()->default_value("text"), "text or json")(
      "log-level", po::value<std::string>()->default_value("info"),
      "trace, debug, info, warn, error");
  add_kubernetes_options(options);
  add_credential_options(options);
  po::variables_map values;
  if (auto exit = parse_options("controller",
                                "--source DIR [--source DIR...] | --source kubernetes [options]",
                                options, args, values, io)) {
    return *exit;
  }
  if (auto exit = setup_process(values, io)) return *exit;
  if (is_kubernetes_source(values)) {
    runtime::KubeManagerOptions kube_options;
    if (auto exit = read_kube_options(values, kube_options, io)) return *exit;
    kube_options.on_lost_leadership = [] {
      // The writes have stopped (KubeManager::lost_leadership); a replica
      // that is no longer sure to lead must not linger: the kubelet starts
      // it again as a standby.
      std::_Exit(kExitLostLeadership);
    };
    runtime::KubeManager manager(std::move(kube_options));
    return serve_until_signal(manager, nullptr, io);
  }
  runtime::ManagerOptions manager_options;
  if (auto exit = read_options(values, manager_options, io)) return *exit;
  std::optional<int> backup_exit;
  auto backup_options = read_backup_options(values, manager_options.state_path, backup_exit, io);
  if (backup_exit) return *backup_exit;
  runtime::Manager manager(manager_options);
  return serve_until_signal(manager, backup_options ? &*backup_options : nullptr, io);
}

}  // namespace wsop::cli
