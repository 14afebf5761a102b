// The reconciler tests' fixture: a FakeProvider behind a real ProviderSet,
// a SQLite state store in a temporary directory and an event recorder.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "controller/reconcile/reconciler.h"
#include "controller/state/sqlite_state_store.h"
#include "tests/controller/reconcile/fake_provider.h"

namespace wsop::reconcile {

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
  std::optional<providers::ExistingIdentity> existing_identity(
      const model::Workspace& d) const override {
    return fake_->existing_identity(d);
  }
  void keep_unreported(const providers::RemoteWorkspace& last,
                       providers::RemoteWorkspace& fresh) const override {
    fake_->keep_unreported(last, fresh);
  }
  void stop() override {}

 private:
  FakeProvider* fake_;
};

inline const char* kConfig = R"(apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: fake}
spec: {type: cadenya, baseUrl: "http://127.0.0.1:9", credentials: {env: FAKE_TOKEN}}
)";

class Recorder : public EventSink {
 public:
  void on_event(const Event& event) override {
    types.push_back(event.type);
    messages.push_back(event.message);
  }
  std::vector<EventType> types;
  std::vector<std::string> messages;
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
    fake_.clock = &clock_;
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
    std::string text = config_;
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
    ctx.clock = &clock_;
    ctx.options.plan = {prune, allow_replace, "test"};
    ctx.options.max_observation_age = std::chrono::milliseconds(0);  // always read fresh
    ctx.options.provisioning_poll = provisioning_poll_;
    ctx.options.provisioning_poll_quiet = provisioning_poll_quiet_;
    return WorkspaceReconciler(std::move(ctx));
  }

  state::WorkspaceRecord record() {
    auto r = store_->get(key_);
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : state::WorkspaceRecord{};
  }

  // Moves the pending create's request time back, as if it were sent `by`
  // ago: past its window, an empty lookup becomes proof.
  void age_pending(std::chrono::seconds by) {
    state::WorkspaceRecord rec = record();
    ASSERT_TRUE(rec.create.requested_at);
    rec.create.requested_at = *rec.create.requested_at - by;
    ASSERT_TRUE(store_->put(rec).is_ok());
  }

  std::string config_ = kConfig;  // the ProviderConfig document of the source
  std::filesystem::path dir_;
  std::unique_ptr<state::StateStore> store_;
  // The reconciler's, the cache's and the fake provider's time: tests move
  // it instead of sleeping. Its wall time starts now, as the store's
  // records would.
  fake::FakeClock clock_{fake::FakeClock::SteadyTime{} + std::chrono::hours(1000),
                         std::chrono::system_clock::now()};
  FakeProvider fake_;
  providers::Registry registry_;
  std::unique_ptr<ProviderSet> providers_;
  ObservedCache cache_{clock_};
  std::chrono::milliseconds provisioning_poll_{0};
  std::chrono::milliseconds provisioning_poll_quiet_{0};
  Recorder events_;
  std::shared_ptr<const DesiredState> desired_;
  model::WorkspaceKey key_{"default", "ws"};
};

}  // namespace wsop::reconcile
