// The shared StateStore contract (tests/controller/state/state_store_test.cpp)
// on KubeStateStore, against the Kubernetes API double. The contract's
// cases write records of keys no one applied; here a record lives on its
// Workspace object, so the harness first creates the object of each key a
// write names, as the user's `kubectl apply` would have. A reopen is a new
// store on the same cluster, once the informer has caught up with it: what
// a replica taking over would read. put_all is not one transaction and meta
// values are kept in memory (kube_state_store.h): those cases say so.
#include "kube/errors.h"
#include "tests/controller/state/kube_state_support.h"
#include "tests/controller/state/state_store_contract.h"

namespace wsop::state::kubestore_test {
namespace {

using test_support::StateStoreTest;

class KubeHarness : public test_support::StoreHarness {
 public:
  Status start() {
    kubetest::KubeDoubleOptions options;
    options.auto_create_namespaces = true;
    kube_ = std::make_unique<kubetest::KubeDouble>(options);
    Status started = kube_->start();
    if (!started) return started;
    client_ = kubetest::client_from_kubeconfig(*kube_);
    if (!client_) return Status::error(Code::kInternal, "no client");
    kube::InformerOptions informer_options;
    informer_options.resource = kWorkspaceResource;
    informer_ = std::make_unique<kube::Informer>(client_, informer_options, kube::EventHandlers{});
    informer_->start();
    if (!informer_->wait_for_sync(30s)) return Status::error(Code::kTransient, "no sync");
    return Status::ok();
  }
  ~KubeHarness() override {
    if (informer_) informer_->stop();
  }

  std::unique_ptr<StateStore> open() override;
  bool atomic_put_all() const override { return false; }
  bool durable_meta() const override { return false; }

  // The Workspace object of `key`, as a user would have applied it.
  Status ensure_object(const model::WorkspaceKey& key) {
    Json object = kubetest::workspace_object(key.name);
    object["metadata"]["namespace"] = key.ns;
    Outcome<Json> created = client_->create(kWorkspaceResource, key.ns, object);
    if (created || kube::is_already_exists(created.status())) return Status::ok();
    return created.status();
  }

 private:
  // Until the informer has seen every write made so far.
  bool informer_caught_up() {
    return kubetest::eventually([&] {
      Outcome<Json> stats = kube_->stats();
      if (!stats) return false;
      const Json& version = (*stats)["resourceVersion"];
      std::string latest = version.is_string() ? version.get<std::string>() : version.dump();
      std::optional<int> order =
          compare_resource_versions(informer_->last_resource_version(), latest);
      return order && *order >= 0;
    });
  }

  std::unique_ptr<kubetest::KubeDouble> kube_;
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<kube::Informer> informer_;
  bool opened_ = false;
};

// KubeStateStore, with the objects of the keys written created first.
class ObjectsOnDemand : public StateStore {
 public:
  ObjectsOnDemand(KubeHarness& harness, std::unique_ptr<KubeStateStore> store)
      : harness_(harness), store_(std::move(store)) {}

  Outcome<std::optional<WorkspaceRecord>> get(const model::WorkspaceKey& key) override {
    return store_->get(key);
  }
  Outcome<std::vector<WorkspaceRecord>> list(const ListOptions& options) override {
    return store_->list(options);
  }
  Outcome<std::vector<RecordKey>> keys() override { return store_->keys(); }
  Outcome<std::vector<PendingCreate>> pending_creates() override {
    return store_->pending_creates();
  }
  Outcome<std::vector<ConditionCount>> count_by_condition() override {
    return store_->count_by_condition();
  }
  Status put(const WorkspaceRecord& record) override {
    Status object = harness_.ensure_object(record.key);
    return object ? store_->put(record) : object;
  }
  Status put_all(const std::vector<WorkspaceRecord>& records) override {
    for (const WorkspaceRecord& record : records) {
      Status object = harness_.ensure_object(record.key);
      if (!object) return object;
    }
    return store_->put_all(records);
  }
  Status remove(const model::WorkspaceKey& key) override { return store_->remove(key); }
  Status move(const model::WorkspaceKey& from, const WorkspaceRecord& to) override {
    Status object = harness_.ensure_object(to.key);
    return object ? store_->move(from, to) : object;
  }
  Outcome<WorkspaceRecord> begin_create(const WorkspaceRecord& record, Time now) override {
    Status object = harness_.ensure_object(record.key);
    if (!object) return object;
    return store_->begin_create(record, now);
  }
  Status complete_create(const model::WorkspaceKey& key, const std::string& remote_id,
                         const std::string& observed_json,
                         const SettleRecord& settle = {}) override {
    return store_->complete_create(key, remote_id, observed_json, settle);
  }
  Outcome<std::optional<WorkspaceRecord>> find_by_remote_id(const std::string& provider_config,
                                                            const std::string& remote_id) override {
    return store_->find_by_remote_id(provider_config, remote_id);
  }
  Status set_conditions(const model::WorkspaceKey& key,
                        const model::Conditions& conditions) override {
    return store_->set_conditions(key, conditions);
  }
  Outcome<std::optional<std::string>> get_meta(const std::string& key) override {
    return store_->get_meta(key);
  }
  Status set_meta(const std::string& key, const std::string& value) override {
    return store_->set_meta(key, value);
  }

 private:
  KubeHarness& harness_;
  std::unique_ptr<KubeStateStore> store_;
};

std::unique_ptr<StateStore> KubeHarness::open() {
  // A new store has no overlay: it reads what the informer has seen.
  if (opened_) {
    EXPECT_TRUE(informer_caught_up()) << "the informer never caught up";
  }
  opened_ = true;
  return std::make_unique<ObjectsOnDemand>(*this,
                                           std::make_unique<KubeStateStore>(client_, *informer_));
}

std::unique_ptr<test_support::StoreHarness> make_kube_harness() {
  auto harness = std::make_unique<KubeHarness>();
  Status started = harness->start();
  EXPECT_TRUE(started) << started.to_string();
  if (!started) return nullptr;
  return harness;
}

INSTANTIATE_TEST_SUITE_P(Kube, StateStoreTest,
                         ::testing::Values(test_support::StoreKind{"kube", make_kube_harness}),
                         test_support::store_kind_name);

}  // namespace
}  // namespace wsop::state::kubestore_test
