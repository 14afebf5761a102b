// The controller in kubernetes mode (`wsctl controller --source kubernetes`):
// the same reconciler, work queue, runner, providers and endpoints as the
// file modes' Manager (manager.h, controller_parts.h), fed by the Kubernetes
// API instead of files, and keeping no local state.
//
//   - Desired state: Workspace and ProviderConfig resources (kube_source.h).
//     A spec change reconciles at once; the operator's own writes never
//     come back as work.
//   - State: each record lives on its Workspace (controller/state/
//     kube_state_store.h): identity annotations, the create journal, status.
//     The finalizer workspace-operator.io/finalizer, added with the first
//     record, holds `kubectl delete` until the remote workspace is deleted
//     (deletionPolicy Delete) or left (Orphan).
//   - Credentials: a ProviderConfig's secretRef is read from its Secret
//     through the API, re-read when the Secret changes
//     (controller/source/kube_secrets.h).
//   - Events on the Workspace (events.k8s.io/v1) besides the log and the
//     metrics; an invalid Workspace gets Synced=False, reason InvalidSpec.
//   - High availability (leader_elect): every replica watches, so a standby
//     takes over with warm caches; only the Lease holder (kube/
//     leader_election.h) runs reconciles, resyncs and writes. When the
//     leader cannot renew, on_lost_leadership is called and must end the
//     process without returning (client-go's default): the next leader's
//     create journal resolves whatever was in flight. On stop() the Lease
//     is released after the workers drained, so a standby takes over at
//     once.
//   - /readyz: ready once the informers listed and the first revision
//     loaded (standbys too: they are warm); the body and the
//     workspace_operator_leader gauge say whether this replica leads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "controller/observability/metrics.h"
#include "controller/reconcile/reconciler.h"
#include "controller/runtime/composition.h"
#include "controller/runtime/controller_parts.h"
#include "controller/runtime/kube_source.h"
#include "controller/runtime/runner.h"
#include "kube/config.h"
#include "providers/http/credential_policy.h"

namespace wsop::kube {
class Client;
class EventRecorder;
class LeaderElector;
}  // namespace wsop::kube

namespace wsop::source {
class KubeSecrets;
}

namespace wsop::state {
class KubeStateStore;
}

namespace wsop::runtime {

struct KubeManagerOptions {
  kube::ConfigSources kube;  // --kubeconfig, else $KUBECONFIG, ~/.kube/config, in-cluster
  std::vector<std::string> namespaces;  // --namespace (repeatable); empty: all
  bool leader_elect = false;
  std::string lease_namespace;  // empty: the configuration's namespace, else "default"
  std::string lease_name = "workspace-operator";
  std::string identity;  // empty: hostname_random (kube/leader_election.h)
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  // Must not return: the process ends (see above).
  std::function<void()> on_lost_leadership;

  // Concurrent reconciles; 0: enough for the ProviderConfigs' rate limits,
  // raised as they change (controller_parts.h, size_workers).
  int workers = 0;
  std::chrono::milliseconds resync{std::chrono::minutes(10)};
  std::string metrics_address = "0.0.0.0";
  uint16_t metrics_port = 8080;
  std::string instance_id = "default";
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(30)};
  std::chrono::milliseconds stall_timeout{std::chrono::minutes(10)};
  std::size_t max_connections = 256;
  std::chrono::milliseconds debounce{200};
  reconcile::ReconcileOptions reconcile;
  http::CredentialPolicy credentials;
};

class KubeManager {
 public:
  explicit KubeManager(KubeManagerOptions options);
  ~KubeManager();

  // Connects (the configuration as kubectl finds it), starts the endpoint
  // server, the informers and, with leader election, the candidate.
  Status start();
  // As Manager::stop(); then releases the Lease. False when a call is still
  // blocked after the grace period (the caller must exit the process).
  bool stop();
  void request_resync();

  uint16_t metrics_port() const;
  bool ready() const { return ready_; }
  bool leading() const { return leading_; }

 private:
  Status connect();
  void make_reconciler();
  Status start_server();
  void start_leading();
  void lost_leadership();
  void on_revision(KubeRevision revision);
  void write_invalid_status(const KubeRevision& revision);
  void write_synced_false(const nlohmann::json& object, const std::string& reason,
                          const std::string& message);
  void on_failure_event(const reconcile::Event& event);
  void enqueue_all();
  void requeue_users_of(const model::SecretKeySelector& ref);
  void resync_once();
  std::optional<std::string> stalled() const;
  std::string not_ready_reason() const;
  std::shared_ptr<const reconcile::DesiredState> desired() const;
  bool stopping() const;

  KubeManagerOptions options_;
  std::shared_ptr<kube::Client> client_;
  kube::RestConfig rest_;
  std::unique_ptr<observability::Metrics> metrics_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<reconcile::EventSink> events_;
  std::shared_ptr<source::KubeSecrets> secrets_;
  std::unique_ptr<WorkQueue> queue_;
  std::unique_ptr<KubeSource> source_;
  // The state store (on the Workspace objects), providers, cache and
  // reconciler (composition.h); made once the source's informers exist.
  std::unique_ptr<Composition> parts_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<ResyncTimer> resync_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::thread stopper_;  // joins the loops, so that stop() can give up on them

  mutable std::mutex mu_;
  std::shared_ptr<const reconcile::DesiredState> desired_;  // guarded by mu_
  std::set<model::WorkspaceKey> deleting_;                  // guarded by mu_
  bool stopping_ = false;                                   // guarded by mu_
  bool drained_ = true;                                     // guarded by mu_
  bool started_leading_ = false;                            // guarded by mu_
  std::atomic<bool> ready_{false};
  std::atomic<bool> leading_{false};
};

}  // namespace wsop::runtime
