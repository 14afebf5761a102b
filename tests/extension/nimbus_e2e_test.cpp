// The fourth provider end to end through the one composition root
// (controller/runtime/composition.h) and the real reconciler, against its
// simulator served on a free 127.0.0.1 port: create, a second pass that
// writes nothing, an update after a spec.nimbus change, drift corrected, a
// delete, and a lost create answer that still leaves one remote workspace.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"
#include "controller/runtime/composition.h"
#include "sim/core/simulator.h"
#include "tests/common/http/test_client.h"
#include "tests/extension/nimbus_registries.h"

namespace wsop::extension {
namespace {

using nlohmann::json;
using reconcile::EventType;

class RecordedEvents : public reconcile::EventSink {
 public:
  void on_event(const reconcile::Event& event) override {
    std::lock_guard lock(mu_);
    types_.push_back(event.type);
  }
  std::vector<EventType> take() {
    std::lock_guard lock(mu_);
    return std::exchange(types_, {});
  }

 private:
  std::mutex mu_;
  std::vector<EventType> types_;
};

class NimbusEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<sim::Simulator>(sim::default_config(simulators_with_nimbus()));
    Status started = sim_->start();
    ASSERT_TRUE(started.is_ok()) << started.to_string();
    ::setenv("NIMBUS_E2E_TOKEN", "nimbus-e2e-secret", 1);
    dir_ = std::filesystem::temp_directory_path() /
           ("wsop-nimbus-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    parts_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The ProviderConfig of the simulator.
  std::string config_only() const {
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
           "metadata: {name: nb}\nspec:\n  type: nimbus\n  baseUrl: " +
           sim_->url("nimbus") +
           "\n  credentials: {env: NIMBUS_E2E_TOKEN}\n  rateLimit: {qps: 1000, burst: 1000}\n"
           "  timeouts: {connect: 2s, request: 3s}\n";
  }
  // The ProviderConfig and one Workspace "weather".
  std::string manifests(const std::string& display_name, const std::string& tier) const {
    return config_only() +
           "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata: {name: "
           "weather}\nspec:\n  providerConfigRef: {name: nb}\n  displayName: " +
           display_name + "\n  nimbus: {region: eu-1, tier: " + tier + "}\n";
  }

  // Loads `text` with the registry of the test build as the next revision.
  void revise(const std::string& text) {
    manifest::LoadOptions options;
    options.registry = &providers_with_nimbus();
    auto loaded = manifest::load_texts({{"nimbus.yaml", text}}, options);
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
    desired_ = std::make_shared<reconcile::DesiredState>(std::move(loaded.set), "rev");
    if (!parts_) compose();
    ASSERT_TRUE(parts_->providers().update(desired_->set().provider_configs).empty());
  }

  void compose() {
    runtime::CompositionOptions options;
    options.context = providers::ProviderContext("nimbus-e2e");
    options.registry = &providers_with_nimbus();
    options.reconcile.plan.prune = true;
    options.reconcile.max_observation_age = std::chrono::milliseconds(0);  // read every pass
    auto store = runtime::open_state_store({(dir_ / "state.db").string(), true, false});
    ASSERT_TRUE(store) << store.status().to_string();
    parts_ = std::make_unique<runtime::Composition>(
        std::move(options), std::move(*store), [this] { return desired_; }, &events_);
  }

  Outcome<reconcile::Result> reconcile() {
    return parts_->reconciler().reconcile({"default", "weather"});
  }

  sim::Service& service() { return *sim_->service("nimbus"); }
  int64_t calls(const std::string& op) {
    json stats = service().stats().to_json();
    int64_t n = 0;
    if (stats["calls"].contains(op)) {
      for (const auto& [outcome, count] : stats["calls"][op].items()) n += count.get<int64_t>();
    }
    return n;
  }
  int64_t writes() { return calls("create") + calls("update") + calls("delete"); }
  std::vector<json> live_workspaces() {
    std::vector<json> out;
    const json state = service().api().state();  // kept: the loop reads into it
    for (const json& w : state["workspaces"]) {
      if (!w["deleted"].get<bool>()) out.push_back(w);
    }
    return out;
  }

  std::unique_ptr<sim::Simulator> sim_;
  std::filesystem::path dir_;
  RecordedEvents events_;
  std::shared_ptr<const reconcile::DesiredState> desired_;
  std::unique_ptr<runtime::Composition> parts_;
};

TEST_F(NimbusEndToEnd, CreateNoopUpdateDriftDelete) {
  ASSERT_NO_FATAL_FAILURE(revise(manifests("Weather models", "premium")));
  auto created = reconcile();
  ASSERT_TRUE(created) << created.status().to_string();
  auto live = live_workspaces();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["name"], "Weather models");
  EXPECT_EQ(live[0]["externalId"], "default/weather");
  EXPECT_EQ(live[0]["region"], "eu-1");
  EXPECT_EQ(live[0]["tier"], "premium");
  EXPECT_EQ(events_.take(), std::vector<EventType>{EventType::kCreated});

  // Nothing changed: the second pass reads and writes nothing.
  int64_t before = writes();
  auto again = reconcile();
  ASSERT_TRUE(again) << again.status().to_string();
  EXPECT_EQ(writes(), before);
  EXPECT_EQ(calls("create"), 1);
  EXPECT_TRUE(events_.take().empty());

  // A manifest change inside spec.nimbus: an update, told apart from drift
  // by the desired digest, which the descriptor's rendering feeds.
  ASSERT_NO_FATAL_FAILURE(revise(manifests("Weather models", "standard")));
  auto updated = reconcile();
  ASSERT_TRUE(updated) << updated.status().to_string();
  EXPECT_EQ(calls("update"), 1);
  EXPECT_EQ(live_workspaces().at(0)["tier"], "standard");
  EXPECT_EQ(events_.take(), std::vector<EventType>{EventType::kUpdated});

  // Someone renames it at the vendor: drift, corrected.
  std::string id = live_workspaces().at(0)["id"];
  simtest::Reply patched =
      simtest::Client(sim_->url("nimbus")).patch("/v2/workspaces/" + id, {{"name", "renamed"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto corrected = reconcile();
  ASSERT_TRUE(corrected) << corrected.status().to_string();
  EXPECT_EQ(calls("update"), 3);  // the tier, the test's own rename, the correction
  EXPECT_EQ(live_workspaces().at(0)["name"], "Weather models");
  EXPECT_EQ(events_.take(), std::vector<EventType>{EventType::kDriftCorrected});

  // The manifest leaves the source (pruning on): the workspace is deleted.
  ASSERT_NO_FATAL_FAILURE(revise(config_only()));
  auto deleted = reconcile();
  ASSERT_TRUE(deleted) << deleted.status().to_string();
  EXPECT_EQ(calls("delete"), 1);
  EXPECT_TRUE(live_workspaces().empty());
  EXPECT_EQ(events_.take(), std::vector<EventType>{EventType::kDeleted});
  auto record = parts_->store().get({"default", "weather"});
  ASSERT_TRUE(record);
  EXPECT_FALSE(record->has_value());
}

TEST_F(NimbusEndToEnd, ALostCreateAnswerLeavesOneRemoteWorkspace) {
  ASSERT_NO_FATAL_FAILURE(revise(manifests("Weather models", "premium")));
  sim::Faults drop;
  drop.drop_after_create_rate = 1.0;
  service().faults().set(drop);
  auto lost = reconcile();  // the server commits, the answer never comes
  service().faults().set(sim::Faults{});
  EXPECT_EQ(calls("create"), 1);
  ASSERT_EQ(live_workspaces().size(), 1u);
  auto journal = parts_->store().get({"default", "weather"});
  ASSERT_TRUE(journal && journal->has_value());
  EXPECT_EQ((*journal)->create.state, state::CreateState::kPending);

  // The next passes find it by its externalId and adopt it: never a second.
  for (int pass = 0; pass < 3; ++pass) {
    auto resolved = reconcile();
    ASSERT_TRUE(resolved) << resolved.status().to_string();
  }
  EXPECT_EQ(calls("create"), 1);
  auto live = live_workspaces();
  ASSERT_EQ(live.size(), 1u);
  auto record = parts_->store().get({"default", "weather"});
  ASSERT_TRUE(record && record->has_value());
  EXPECT_EQ((*record)->remote_id, live[0]["id"].get<std::string>());
  EXPECT_EQ((*record)->create.state, state::CreateState::kSucceeded);
}

}  // namespace
}  // namespace wsop::extension
