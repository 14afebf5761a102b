#include "controller/runtime/kube_manager.h"

#include <malloc.h>

#include <cctype>
#include <future>

#include "controller/observability/logging.h"
#include "controller/runtime/kube_events.h"
#include "controller/runtime/manager.h"
#include "controller/source/kube_secrets.h"
#include "controller/state/kube_state_store.h"
#include "kube/client.h"
#include "kube/errors.h"
#include "kube/event_recorder.h"
#include "kube/leader_election.h"

namespace wsop::runtime {
namespace {

using observability::log_error;
using observability::log_info;
using observability::log_warn;

std::vector<model::SecretKeySelector> secret_refs(
    const std::vector<model::ProviderConfig>& configs) {
  std::vector<model::SecretKeySelector> refs;
  for (const auto& config : configs) {
    if (config.credentials.secret_ref) refs.push_back(*config.credentials.secret_ref);
  }
  return refs;
}

// The status of a Workspace the reconciler cannot act on and that has no
// record to carry its conditions (invalid, or failing before its first
// create): its conditions with Synced False for `reason` and `message`.
// lastTransitionTime moves only when Synced's status or reason changes.
nlohmann::json synced_false_status(const nlohmann::json& object, const std::string& reason,
                                   const std::string& message, std::int64_t generation) {
  nlohmann::json status = object.value("status", nlohmann::json::object());
  if (!status.is_object()) status = nlohmann::json::object();
  nlohmann::json conditions = nlohmann::json::array();
  std::string since = kube::format_micro_time(std::chrono::system_clock::now());
  since = since.substr(0, 19) + "Z";  // metav1.Time: whole seconds
  for (const auto& c : status.value("conditions", nlohmann::json::array())) {
    if (!c.is_object() || c.value("type", "") != "Synced") {
      conditions.push_back(c);
      continue;
    }
    if (c.value("status", "") == "False" && c.value("reason", "") == reason) {
      since = c.value("lastTransitionTime", since);
    }
  }
  conditions.push_back({{"type", "Synced"},
                        {"status", "False"},
                        {"reason", reason},
                        {"message", message},
                        {"observedGeneration", generation},
                        {"lastTransitionTime", since}});
  status["conditions"] = std::move(conditions);
  status["observedGeneration"] = generation;
  return status;
}

}  // namespace

KubeManager::KubeManager(KubeManagerOptions options) : options_(std::move(options)) {}

KubeManager::~KubeManager() {
  stop();
}

std::shared_ptr<const reconcile::DesiredState> KubeManager::desired() const {
  std::lock_guard lock(mu_);
  return desired_;
}

bool KubeManager::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

Status KubeManager::connect() {
  auto rest = kube::load_config(options_.kube);
  if (!rest) return rest.status().with_context("Kubernetes API configuration");
  rest_ = std::move(*rest);
  auto client = kube::Client::create(rest_);
  if (!client) return client.status().with_context("Kubernetes API client");
  client_ = std::move(*client);
  if (options_.identity.empty()) options_.identity = kube::default_leader_identity();
  if (options_.lease_namespace.empty()) {
    options_.lease_namespace = rest_.namespace_name.empty() ? "default" : rest_.namespace_name;
  }
  return Status::ok();
}

// The parts the file-mode controller and wsctl are made of too
// (composition.h), over the state kept on the Workspace objects.
void KubeManager::make_reconciler() {
  state::KubeStateStoreOptions store_options;
  std::vector<const kube::Informer*> informers;
  for (const auto& informer : source_->workspace_informers()) informers.push_back(informer.get());
  auto store =
      std::make_unique<state::KubeStateStore>(client_, std::move(informers), store_options);
  CompositionOptions composition;
  composition.context = providers::ProviderContext{
      options_.instance_id, std::shared_ptr<http::RequestObserver>(metrics_.get(), [](auto*) {}),
      options_.credentials};
  composition.context.secrets = secrets_;
  composition.reconcile = options_.reconcile;
  // `kubectl delete` is the only way a Workspace leaves, and the revision
  // allows pruning only the ones being deleted (kube_source.h).
  composition.reconcile.plan.prune = true;
  composition.reconcile.kubectl_hints = true;
  composition.reconcile.max_observation_age = options_.resync;
  parts_ = std::make_unique<Composition>(
      std::move(composition), std::move(store), [this] { return desired(); }, events_.get());
  runner_ = std::make_unique<Runner>(parts_->reconciler(), *queue_,
                                     RunnerOptions{std::max(1, options_.workers), 0, true},
                                     metrics_.get());
  resync_ = std::make_unique<ResyncTimer>(options_.resync, [this](bool requested) {
    log_info(requested ? "resync requested" : "resync");
    resync_once();
  });
}

Status KubeManager::start() {
  if (Status s = connect(); !s.is_ok()) return s;
  metrics_ = std::make_unique<observability::Metrics>(std::max(1, options_.workers));
  metrics_->set_leader(false);
  kube::EventRecorderOptions recorder_options;
  recorder_options.reporting_instance = options_.identity;
  auto recorder = kube::EventRecorder::create(rest_, recorder_options);
  if (!recorder) return recorder.status().with_context("event recorder");
  recorder_ = std::move(*recorder);
  source::KubeSecretsOptions secrets_options;
  // A rotated token: the workspaces of the accounts it serves are tried
  // again now, not at the end of their failure backoff.
  secrets_options.on_change = [this](const model::SecretKeySelector& ref) {
    log_info("Secret changed", {{"secret", ref.ns + "/" + ref.name}});
    requeue_users_of(ref);
  };
  secrets_ = std::make_shared<source::KubeSecrets>(client_, secrets_options);
  queue_ = std::make_unique<WorkQueue>(
      BackoffPolicy{}, metrics_.get(),
      [this](const std::string& key) { return provider_config_lane(desired().get(), key); });
  KubeSourceOptions source_options;
  source_options.namespaces = options_.namespaces;
  source_options.load.credentials = options_.credentials;
  source_options.load.secret_refs_readable = true;
  source_options.debounce = options_.debounce;
  source_ = std::make_unique<KubeSource>(client_, source_options,
                                         [this](KubeRevision r) { on_revision(std::move(r)); });
  events_ = std::make_unique<KubeEventSink>(
      metrics_.get(), recorder_.get(),
      [this](const model::WorkspaceKey& key) { return source_->workspace(key); }, &leading_,
      [this](const reconcile::Event& event) { on_failure_event(event); });
  make_reconciler();
  if (Status s = start_server(); !s.is_ok()) return s.with_context("metrics server");
  recorder_->start();
  source_->start();
  log_info("controller started",
           {{"source", "kubernetes " + rest_.origin},
            {"metrics", server_->url()},
            {"instanceId", options_.instance_id},
            {"identity", options_.identity},
            {"workers", options_.workers > 0 ? std::to_string(options_.workers) : "auto"}});
  if (!options_.leader_elect) {
    start_leading();
    return Status::ok();
  }
  kube::LeaderElectionConfig election;
  election.lease_namespace = options_.lease_namespace;
  election.lease_name = options_.lease_name;
  election.identity = options_.identity;
  election.lease_duration = options_.lease_duration;
  election.renew_deadline = options_.renew_deadline;
  election.retry_period = options_.retry_period;
  election.on_started_leading = [this] { start_leading(); };
  election.on_stopped_leading = [this] { lost_leadership(); };
  election.on_new_leader = [](const std::string& holder) {
    log_info("leader", {{"holder", holder.empty() ? "(released)" : holder}});
  };
  auto elector = kube::LeaderElector::create(rest_, std::move(election));
  if (!elector) return elector.status().with_context("leader election");
  elector_ = std::move(*elector);
  elector_->start();
  return Status::ok();
}

Status KubeManager::start_server() {
  observability::EndpointContext endpoints;
  endpoints.metrics = metrics_.get();
  endpoints.store = &parts_->store();
  endpoints.queue = queue_.get();
  endpoints.ready = &ready_;
  endpoints.stalled = [this] { return stalled(); };
  endpoints.not_ready_reason = [this] { return not_ready_reason(); };
  endpoints.ready_detail = [this] {
    if (leading_) return std::string("leader ") + options_.identity;
    std::string leader = elector_ ? elector_->leader() : "";
    return "standby " + options_.identity + (leader.empty() ? "" : ", the leader is " + leader);
  };
  server_ = make_endpoint_server(
      {options_.metrics_address, options_.metrics_port, options_.max_connections}, endpoints);
  return server_->start();
}

// On the elector's thread, which must go on renewing: the lists and the
// sweep of a new term run on the resync timer's thread.
void KubeManager::start_leading() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || started_leading_) return;
    started_leading_ = true;
  }
  leading_ = true;
  metrics_->set_leader(true);
  log_info("leading", {{"identity", options_.identity}});
  runner_->start();
  resync_->start();
  if (desired()) resync_->request();
}

// The Lease could not be renewed in time: stop every write now (the queue
// takes nothing, provider calls and API requests are cut), then end the
// process as client-go does; the next leader's journal resolves the rest.
void KubeManager::lost_leadership() {
  if (stopping()) return;  // stop() released the Lease after the drain
  leading_ = false;
  metrics_->set_leader(false);
  log_error("leadership lost: stopping every write", {{"identity", options_.identity}});
  queue_->shut_down();
  parts_->providers().stop_all();
  client_->stop();
  if (options_.on_lost_leadership) options_.on_lost_leadership();
}

void KubeManager::on_revision(KubeRevision revision) {
  const auto& configs = revision.desired->set().provider_configs;
  size_workers(options_.workers, revision.desired->set(), *runner_, *metrics_);
  secrets_->watch(secret_refs(configs));
  for (const auto& [config, status] : parts_->providers().update(configs)) {
    log_error("provider unavailable", {{"providerConfig", config}, {"error", status.message()}});
  }
  for (const auto& invalid : revision.invalid) {
    log_warn("invalid resource set aside",
             {{"object", invalid.ref.to_string()}, {"error", invalid.message}});
  }
  std::shared_ptr<const reconcile::DesiredState> previous;
  {
    std::lock_guard lock(mu_);
    previous = desired_;
    desired_ = revision.desired;
    deleting_ = revision.deleting;
  }
  metrics_->set_source(revision.desired->revision(), true);
  ready_ = true;
  if (!leading_) return;
  write_invalid_status(revision);
  if (!previous) {
    resync_->request();  // the first revision: list every account, then the sweep
    return;
  }
  for (const auto& key : Manager::changed_keys(previous.get(), *revision.desired)) {
    queue_->add(key);
  }
  for (const auto& key : revision.deleting) queue_->add(key.to_string());
}

// Synced=False, reason InvalidSpec, with the loader's message, on each
// invalid Workspace (the others go on). The Ready condition the record
// last wrote is kept; nothing is written when the status already says so.
void KubeManager::write_invalid_status(const KubeRevision& revision) {
  for (const auto& invalid : revision.invalid) {
    if (invalid.ref.kind != source::ObjectKind::kWorkspace || invalid.meta.deleting) continue;
    kube::ObjectPtr object = source_->workspace({invalid.ref.ns, invalid.ref.name});
    if (!object) continue;
    write_synced_false(*object, "InvalidSpec", invalid.message);
  }
}

void KubeManager::write_synced_false(const nlohmann::json& object, const std::string& reason,
                                     const std::string& message) {
  const nlohmann::json metadata = object.value("metadata", nlohmann::json::object());
  std::int64_t generation = metadata.value("generation", std::int64_t{0});
  nlohmann::json status = synced_false_status(object, reason, message, generation);
  if (object.value("status", nlohmann::json::object()) == status) return;
  std::string ns = metadata.value("namespace", ""), name = metadata.value("name", "");
  auto written = client_->patch_status(
      kWorkspaceResource, ns, name,
      {{"status", status},
       {"metadata", {{"resourceVersion", metadata.value("resourceVersion", "")}}}});
  if (!written && !kube::is_conflict(written.status()) && !kube::is_not_found(written.status())) {
    log_warn("status not written",
             {{"workspace", ns + "/" + name}, {"error", written.status().message()}});
  }
}

// A failure of a Workspace without a record (its first lookup or create
// failed): the record would carry the condition, so without one it is
// written here, or `kubectl get` would show nothing while the log says why.
// The reconciler's messages start with their reason ("ExistingLookupFailed:
// ...").
void KubeManager::on_failure_event(const reconcile::Event& event) {
  if (!leading_ || !parts_) return;
  auto record = parts_->store().get(event.key);
  if (!record || record->has_value()) return;
  kube::ObjectPtr object = source_->workspace(event.key);
  if (!object) return;
  std::string reason = kube_event_reason(event.type).reason, message = event.message;
  auto colon = message.find(": ");
  if (colon != std::string::npos && colon < 64 &&
      std::isupper(static_cast<unsigned char>(message[0])) && message.find(' ') > colon) {
    reason = message.substr(0, colon);
    message = message.substr(colon + 2);
  }
  write_synced_false(*object, reason, message);
}

void KubeManager::requeue_users_of(const model::SecretKeySelector& ref) {
  auto snapshot = desired();
  if (!snapshot || !leading_) return;
  for (const auto& config : snapshot->set().provider_configs) {
    if (config.credentials.secret_ref != ref) continue;
    for (const auto* ws : snapshot->workspaces_of(config.name)) {
      queue_->forget(ws->key().to_string());
      queue_->add(ws->key().to_string());
    }
  }
}

void KubeManager::enqueue_all() {
  auto snapshot = desired();
  if (!snapshot) return;
  for (const auto& ws : snapshot->set().workspaces) {
    queue_->add(ws.key().to_string(), Priority::kLow);
  }
  if (auto records = parts_->store().keys()) {
    for (const auto& r : *records) queue_->add(r.key.to_string(), Priority::kLow);
  }
#if defined(__GLIBC__)
  malloc_trim(0);  // as Manager::enqueue_all: a resync's lists are garbage now
#endif
}

void KubeManager::resync_once() {
  auto snapshot = desired();
  if (!snapshot || !leading_) return;
#if defined(__GLIBC__)
  // What converging freed is handed back before the lists and reconciles
  // of the resync add their own peak to it (about 4 MiB at 10,000).
  malloc_trim(0);
#endif
  observe_accounts(parts_->providers(), parts_->cache(), *snapshot, [this] { return stopping(); });
  enqueue_all();
}

void KubeManager::request_resync() {
  if (leading_) resync_->request();
}

uint16_t KubeManager::metrics_port() const {
  return server_ ? server_->port() : 0;
}

std::optional<std::string> KubeManager::stalled() const {
  std::vector<LoopTurn> loops;
  if (source_) loops.push_back({"the source loop", source_->heartbeat().turn_age()});
  if (resync_) loops.push_back({"the resync loop", resync_->heartbeat().turn_age()});
  if (runner_) loops.push_back({"a reconcile worker", runner_->longest_turn()});
  return first_stuck_loop(loops, options_.stall_timeout);
}

std::string KubeManager::not_ready_reason() const {
  if (!source_) return "starting";
  return source_->not_synced_reason();
}

// As Manager::stop(): one deadline bounds the drain; past it provider calls
// are interrupted. Then the Lease is released (a standby takes over at
// once), and the Events still queued are written.
bool KubeManager::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return drained_;
    stopping_ = true;
  }
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  if (resync_) resync_->signal_stop();
  if (queue_) queue_->shut_down();
  bool drained = drain_until(
      deadline,
      [this] {
        if (source_) source_->stop();
        if (resync_) resync_->join();
        if (runner_) runner_->stop();
      },
      [this] {
        if (parts_) parts_->providers().stop_all();
        if (client_) client_->stop();
      },
      stopper_);
  if (!drained) {
    if (server_) server_->stop();
    std::lock_guard lock(mu_);
    drained_ = false;
    return false;
  }
  leading_ = false;
  if (elector_) elector_->stop();  // releases the Lease: nothing writes any more
  if (recorder_) recorder_->stop();
  if (server_) server_->stop();
  if (client_) client_->stop();
  log_info("controller stopped");
  return true;
}

}  // namespace wsop::runtime
