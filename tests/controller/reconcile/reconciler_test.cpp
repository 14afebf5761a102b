#include "controller/reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "controller/state/sqlite_state_store.h"
#include "tests/controller/reconcile/fake_provider.h"

namespace wsop::reconcile {
namespace {

using testing::FakeProvider;

// Hands the shared fake to the ProviderSet, which owns what it makes.
class Forwarder : public providers::Provider {
 public:
  explicit Forwarder(FakeProvider* fake) : fake_(fake) {}
  const providers::Capabilities& capabilities() const override { return fake_->capabilities(); }
  model::ProviderType type() const override { return fake_->type(); }
  Outcome<providers::RemoteWorkspace> get(const std::string& id) override { return fake_->get(id); }
  Outcome<std::vector<providers::RemoteWorkspace>> list(
      const std::vector<const model::Workspace*>& d) override {
    return fake_->list(d);
  }
  Outcome<providers::RemoteWorkspace> create(const model::Workspace& d) override {
    return fake_->create(d);
  }
  Outcome<providers::RemoteWorkspace> update(
      const providers::RemoteWorkspace& c, const model::Workspace& d,
      const std::vector<providers::FieldChange>& ch) override {
    return fake_->update(c, d, ch);
  }
  Status remove(const std::string& id) override { return fake_->remove(id); }
  std::vector<providers::FieldChange> diff(const model::Workspace& d,
                                           const providers::RemoteWorkspace& o) const override {
    return fake_->diff(d, o);
  }
  Outcome<providers::LostCreateLookup> find_lost_create(
      const model::Workspace& d, const providers::CreateAttempt& a) override {
    return fake_->find_lost_create(d, a);
  }
  std::string create_digest(const model::Workspace& d) const override {
    return fake_->create_digest(d);
  }
  void stop() override {}

 private:
  FakeProvider* fake_;
};

const char* kConfig = R"(apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: fake}
spec: {type: cadenya, baseUrl: "http://127.0.0.1:9", credentials: {env: FAKE_TOKEN}}
)";

class Recorder : public EventSink {
 public:
  void on_event(const Event& event) override { types.push_back(event.type); }
  std::vector<EventType> types;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wsop-reconcile-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = state::open_sqlite_state_store((dir_ / "state.db").string());
    ASSERT_TRUE(store) << store.status().to_string();
    store_ = std::move(*store);
    registry_.add("cadenya", [this](const model::ProviderConfig&, std::unique_ptr<http::Client>,
                                    const providers::ProviderContext&) {
      return Outcome<std::unique_ptr<providers::Provider>>(std::make_unique<Forwarder>(&fake_));
    });
    providers_ =
        std::make_unique<ProviderSet>(registry_, providers::ProviderContext{"test", nullptr});
    set_manifests("  displayName: First\n  description: one\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The source: the fake ProviderConfig and one workspace "ws" with spec_extra.
  void set_manifests(const std::string& spec_extra, bool with_workspace = true,
                     const std::string& metadata_extra = "") {
    std::string text = std::string(kConfig);
    if (with_workspace) {
      text +=
          "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: "
          "ws\n" +
          metadata_extra + "spec:\n  providerConfigRef: {name: fake}\n" + spec_extra;
    }
    auto loaded = manifest::load_texts({{"test.yaml", text}});
    ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
    providers_->update(loaded.set.provider_configs);
    desired_ = std::make_shared<DesiredState>(std::move(loaded.set), "test");
  }

  WorkspaceReconciler reconciler(bool prune = false, bool allow_replace = false) {
    ReconcileContext ctx;
    ctx.desired = [this] { return desired_; };
    ctx.providers = providers_.get();
    ctx.store = store_.get();
    ctx.cache = &cache_;
    ctx.events = &events_;
    ctx.options.plan = {prune, allow_replace, "test"};
    ctx.options.max_observation_age = std::chrono::milliseconds(0);  // always read fresh
    ctx.options.provisioning_poll = std::chrono::milliseconds(0);
    return WorkspaceReconciler(std::move(ctx));
  }

  state::WorkspaceRecord record() {
    auto r = store_->get(key_);
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : state::WorkspaceRecord{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<state::StateStore> store_;
  FakeProvider fake_;
  providers::Registry registry_;
  std::unique_ptr<ProviderSet> providers_;
  ObservedCache cache_;
  Recorder events_;
  std::shared_ptr<const DesiredState> desired_;
  model::WorkspaceKey key_{"default", "ws"};
};

TEST_F(ReconcilerTest, CreatesOnceThenSendsNoWrites) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  auto rec = record();
  EXPECT_EQ(rec.remote_id, "id-1");
  EXPECT_EQ(rec.create.state, state::CreateState::kSucceeded);
  EXPECT_EQ(rec.conditions.ready.status, state::ConditionStatus::kTrue);
  EXPECT_EQ(rec.conditions.synced.status, state::ConditionStatus::kTrue);
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.writes(), 1);
}

TEST_F(ReconcilerTest, LostAnswerAfterCommitIsAdoptedNeverDuplicated) {
  fake_.next_create_fault = FakeProvider::CreateFault::kLoseAnswerAfterCommit;
  auto r = reconciler();
  auto first = r.reconcile(key_);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->requeue_after.has_value());
  EXPECT_EQ(record().create.state, state::CreateState::kPending);
  EXPECT_EQ(record().conditions.synced.reason, "CreateAmbiguous");
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().remote_id, "id-1");
  EXPECT_EQ(record().create.state, state::CreateState::kSucceeded);
  EXPECT_EQ(record().conditions.synced.status, state::ConditionStatus::kTrue);
}

TEST_F(ReconcilerTest, LostAnswerBeforeCommitCreatesAgainWhenTheLookupIsConclusive) {
  fake_.next_create_fault = FakeProvider::CreateFault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().create.state, state::CreateState::kSucceeded);
}

TEST_F(ReconcilerTest, InconclusiveLookupNeverCreatesAgain) {
  fake_.next_create_fault = FakeProvider::CreateFault::kLoseAnswerBeforeCommit;
  fake_.lookups_conclusive = false;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(record().create.state, state::CreateState::kPending);
  EXPECT_EQ(record().conditions.synced.status, state::ConditionStatus::kFalse);
}

TEST_F(ReconcilerTest, SeveralUnownedCandidatesAreReportedNotGuessed) {
  fake_.next_create_fault = FakeProvider::CreateFault::kLoseAnswerAfterCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  providers::RemoteWorkspace twin = fake_.remote.begin()->second;
  twin.id = "id-twin";
  fake_.remote[twin.id] = twin;
  ASSERT_TRUE(r.reconcile(key_));
  auto rec = record();
  EXPECT_EQ(rec.conditions.synced.reason, "CreatePendingUnresolved");
  EXPECT_NE(rec.conditions.synced.message.find("wsctl import"), std::string::npos);
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(events_.types.back(), EventType::kCreatePendingUnresolved);
}

TEST_F(ReconcilerTest, RefusedCreateClearsTheJournal) {
  fake_.next_create_fault = FakeProvider::CreateFault::kRefuse;
  auto r = reconciler();
  EXPECT_FALSE(r.reconcile(key_));
  auto rec = record();
  EXPECT_EQ(rec.create.state, state::CreateState::kNone);
  EXPECT_EQ(rec.conditions.synced.reason, "CreateFailed");
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.remote.size(), 1u);
}

TEST_F(ReconcilerTest, UpdatesAChangedFieldAndCorrectsDrift) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("  displayName: Second\n  description: one\n");
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.updates, 1);
  EXPECT_EQ(fake_.remote["id-1"].name, "Second");
  EXPECT_EQ(events_.types.back(), EventType::kUpdated);
  fake_.remote["id-1"].description = "changed behind our back";
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.updates, 2);
  EXPECT_EQ(fake_.remote["id-1"].description, "one");
  EXPECT_EQ(events_.types.back(), EventType::kDriftCorrected);
}

TEST_F(ReconcilerTest, RecreatesAWorkspaceDeletedOutOfBand) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  fake_.remote.clear();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(record().remote_id, "id-2");
}

TEST_F(ReconcilerTest, PruneFollowsDeletionPolicy) {
  auto r = reconciler(/*prune=*/true);
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("", /*with_workspace=*/false);
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.deletes, 1);
  EXPECT_TRUE(fake_.remote.empty());
  EXPECT_FALSE(*store_->get(key_));

  set_manifests("  deletionPolicy: Orphan\n");
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("", /*with_workspace=*/false);
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.deletes, 1);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_FALSE(*store_->get(key_));
}

TEST_F(ReconcilerTest, WithoutPruneARemovedManifestIsLeftAlone) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("", /*with_workspace=*/false);
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.deletes, 0);
  EXPECT_TRUE(*store_->get(key_));
}

TEST_F(ReconcilerTest, ObserveOnlyAndCreateOnlyNeverUpdate) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("  displayName: Other\n  managementPolicy: CreateOnly\n");
  ASSERT_TRUE(r.reconcile(key_));
  set_manifests("  displayName: Other\n  managementPolicy: ObserveOnly\n");
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.updates, 0);
  EXPECT_EQ(fake_.remote["id-1"].name, "First");
}

TEST_F(ReconcilerTest, ObserveOnlyNeverCreates) {
  set_manifests("  managementPolicy: ObserveOnly\n");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.writes(), 0);
}

TEST_F(ReconcilerTest, PausedWorkspaceIsSkipped) {
  set_manifests("", true, "  annotations: {workspace-operator.io/paused: \"true\"}\n");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.writes(), 0);
}

TEST_F(ReconcilerTest, ExternalNameAdoptsAnExistingWorkspace) {
  providers::RemoteWorkspace existing;
  existing.id = "id-existing";
  existing.name = "Old";
  fake_.remote[existing.id] = existing;
  set_manifests("  displayName: New\n", true,
                "  annotations: {workspace-operator.io/external-name: id-existing}\n");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  EXPECT_EQ(fake_.updates, 1);
  EXPECT_EQ(record().remote_id, "id-existing");
  EXPECT_EQ(record().origin, state::Origin::kAdopted);
}

TEST_F(ReconcilerTest, ProvisioningRequeuesUntilReady) {
  fake_.create_phase = providers::Phase::kProvisioning;
  auto r = reconciler();
  auto first = r.reconcile(key_);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->provisioning);
  EXPECT_EQ(record().conditions.ready.status, state::ConditionStatus::kFalse);
  fake_.remote["id-1"].phase = providers::Phase::kReady;
  auto second = r.reconcile(key_);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->requeue_after.has_value());
  EXPECT_EQ(record().conditions.ready.status, state::ConditionStatus::kTrue);
}

TEST_F(ReconcilerTest, ProvisioningIsPolledThroughTheListNotAGetEach) {
  fake_.create_phase = providers::Phase::kProvisioning;
  fake_.caps_.async_provisioning = true;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  int gets = fake_.gets, lists = fake_.lists;
  fake_.remote["id-1"].phase = providers::Phase::kReady;
  auto second = r.reconcile(key_);
  ASSERT_TRUE(second);
  EXPECT_EQ(fake_.gets, gets);
  EXPECT_EQ(fake_.lists, lists + 1);
  EXPECT_EQ(record().conditions.ready.status, state::ConditionStatus::kTrue);
}

}  // namespace
}  // namespace wsop::reconcile
