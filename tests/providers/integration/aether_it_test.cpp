// Aether through the Provider interface against the simulator
// (../shared/providers/aether.md): nested create, flat PATCH, asynchronous
// provisioning, start/stop (Aether's own, through update with powerState),
// {"error"} bodies.
#include "providers/aether/aether_observation.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

// Changes w's spec.aether as an edit of its manifest would.
template <class Edit>
void with_spec(model::Workspace& w, Edit edit) {
  providers::aether::WorkspaceSpec spec = *providers::aether::spec_of(w);
  edit(spec);
  providers::aether::set_spec(w, spec);
}

const model::ProviderType kAether("aether");

class AetherIT : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    provider_ = make(kAether);
    ASSERT_NE(provider_, nullptr);
  }

  // Polls get until the phase is reached.
  RemoteWorkspace wait_for(const std::string& id, Phase phase) {
    RemoteWorkspace last;
    bool reached = eventually([&] {
      auto got = provider_->get(id);
      if (!got) return false;
      last = *got;
      return got->phase == phase;
    });
    EXPECT_TRUE(reached) << "status " << last.status;
    return last;
  }

  std::unique_ptr<Provider> provider_;
};

TEST_P(AetherIT, Capabilities) {
  const auto& caps = provider_->capabilities();
  EXPECT_TRUE(caps.hardware);
  EXPECT_FALSE(caps.display_name);
  EXPECT_FALSE(caps.description);
  EXPECT_FALSE(caps.native_external_id);
}

TEST_P(AetherIT, CreateProvisionUpdateEachFieldStopStartDelete) {
  model::Workspace want = aether_ws("delta");
  auto created = provider_->create(want);
  ASSERT_TRUE(created) << why(created);
  EXPECT_EQ(created->status, "creating");
  EXPECT_EQ(created->phase, Phase::kProvisioning);
  EXPECT_EQ(providers::aether::project_of(*created), kProject);
  ASSERT_TRUE(created->hardware.has_value());
  EXPECT_EQ(created->hardware->cpus, 2);
  EXPECT_EQ(providers::aether::keep_active_of(*created), false);
  EXPECT_EQ(calls(kAether, "create", "201"), 1);

  RemoteWorkspace running = wait_for(created->id, Phase::kReady);
  EXPECT_EQ(running.status, "running");
  EXPECT_TRUE(provider_->diff(want, running).empty());

  auto listed = provider_->list({});
  ASSERT_TRUE(listed) << why(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id, created->id);

  // Each mutable field alone, sent flat.
  struct Step {
    const char* path;
    std::function<void(model::Workspace&)> change;
  };
  std::vector<Step> steps = {
      {"spec.hardware.cpus", [](model::Workspace& w) { w.hardware->cpus = 4; }},
      {"spec.hardware.memoryMb", [](model::Workspace& w) { w.hardware->memory_mb = 4096; }},
      {"spec.hardware.volumeSizeGb", [](model::Workspace& w) { w.hardware->volume_size_gb = 20; }},
      {"spec.hardware.cpuKind", [](model::Workspace& w) { w.hardware->cpu_kind = "performance"; }},
      {"spec.hardware.gpuKind",
       [](model::Workspace& w) { w.hardware->gpu_kind = std::optional<std::string>("a10"); }},
      {"spec.aether.keepActive",
       [](model::Workspace& w) { with_spec(w, [](auto& s) { s.keep_active = true; }); }},
  };
  RemoteWorkspace current = running;
  for (const Step& step : steps) {
    step.change(want);
    auto changes = provider_->diff(want, current);
    ASSERT_EQ(changes.size(), 1u) << step.path;
    EXPECT_EQ(changes[0].path, step.path);
    auto updated = provider_->update(current, want, changes);
    ASSERT_TRUE(updated) << step.path << ": " << why(updated);
    EXPECT_TRUE(provider_->diff(want, *updated).empty()) << step.path;
    current = *updated;
  }
  auto got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_TRUE(provider_->diff(want, *got).empty());
  EXPECT_EQ(got->hardware->gpu_kind.value_or(std::nullopt), "a10");
  EXPECT_EQ(calls(kAether, "update", "200"), static_cast<int64_t>(steps.size()));

  // gpuKind back to null: "no GPU".
  want.hardware->gpu_kind = std::optional<std::string>();
  auto updated = provider_->update(*got, want, provider_->diff(want, *got));
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_FALSE(updated->hardware->gpu_kind.value_or(std::nullopt).has_value());

  // Stop through update with powerState.
  with_spec(want, [](auto& s) { s.power_state = providers::aether::PowerState::kStopped; });
  auto changes = provider_->diff(want, *updated);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.aether.powerState");
  updated = provider_->update(*updated, want, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->status, "stopping");
  EXPECT_EQ(updated->phase, Phase::kProvisioning);
  EXPECT_TRUE(provider_->diff(want, *updated).empty());  // in transition: not drift
  RemoteWorkspace stopped = wait_for(created->id, Phase::kStopped);
  EXPECT_TRUE(provider_->diff(want, stopped).empty());
  EXPECT_EQ(calls(kAether, "stop", "200"), 1);

  // And start again, together with a hardware change.
  with_spec(want, [](auto& s) { s.power_state = providers::aether::PowerState::kRunning; });
  want.hardware->cpus = 8;
  changes = provider_->diff(want, stopped);
  ASSERT_EQ(changes.size(), 2u);
  updated = provider_->update(stopped, want, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->status, "starting");
  EXPECT_EQ(updated->hardware->cpus, 8);
  running = wait_for(created->id, Phase::kReady);
  EXPECT_TRUE(provider_->diff(want, running).empty());
  EXPECT_EQ(calls(kAether, "start", "200"), 1);

  // A project change is a replacement.
  model::Workspace moved = want;
  with_spec(moved, [](auto& s) { s.project_id = "00000000-0000-4000-8000-000000000002"; });
  changes = provider_->diff(moved, running);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].requires_replacement);

  ASSERT_TRUE(provider_->remove(created->id).is_ok());
  got = provider_->get(created->id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound);
  EXPECT_NE(got.status().message().find("workspace not found"), std::string::npos);
  EXPECT_TRUE(provider_->remove(created->id).is_ok());
  listed = provider_->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(AetherIT, StartingAWorkspaceThatIsNotStoppedIsInvalid) {
  model::Workspace want = aether_ws("eps");
  auto created = provider_->create(want);
  ASSERT_TRUE(created) << why(created);
  RemoteWorkspace running = wait_for(created->id, Phase::kReady);
  // Pretend we saw it stopped: the server says it is running.
  RemoteWorkspace stale = running;
  stale.phase = Phase::kStopped;
  stale.status = "stopped";
  with_spec(want, [](auto& s) { s.power_state = providers::aether::PowerState::kRunning; });
  auto updated = provider_->update(stale, want, provider_->diff(want, stale));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.status().code(), Code::kInvalid) << why(updated);
  EXPECT_NE(updated.status().message().find("workspace is running, not stopped"),
            std::string::npos);
}

// Start and stop are Aether's own business, carried out by its update for
// spec.aether.powerState: the Provider interface has no power calls.
TEST_P(AetherIT, StopAndStartAreCarriedOutByUpdate) {
  model::Workspace want = aether_ws("theta");
  auto created = provider_->create(want);
  ASSERT_TRUE(created) << why(created);
  RemoteWorkspace running = wait_for(created->id, Phase::kReady);

  with_spec(want, [](auto& s) { s.power_state = providers::aether::PowerState::kStopped; });
  auto stopping = provider_->update(running, want, provider_->diff(want, running));
  ASSERT_TRUE(stopping) << why(stopping);
  EXPECT_EQ(stopping->status, "stopping");
  RemoteWorkspace stopped = wait_for(created->id, Phase::kStopped);
  EXPECT_EQ(stopped.status, "stopped");
  EXPECT_EQ(calls(kAether, "stop", "200"), 1);

  // Stopping again (from a stale view that still says running) is the
  // vendor's 400, which is Invalid and keeps its text.
  auto again = provider_->update(running, want, provider_->diff(want, running));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.status().code(), Code::kInvalid) << why(again);

  with_spec(want, [](auto& s) { s.power_state = providers::aether::PowerState::kRunning; });
  auto starting = provider_->update(stopped, want, provider_->diff(want, stopped));
  ASSERT_TRUE(starting) << why(starting);
  EXPECT_EQ(starting->status, "starting");
  EXPECT_EQ(wait_for(created->id, Phase::kReady).status, "running");
  EXPECT_EQ(calls(kAether, "start", "200"), 1);

  // A workspace gone meanwhile: NotFound, as get says it.
  RemoteWorkspace missing = stopped;
  missing.id = "00000000-0000-4000-8000-0000000000ff";
  auto lost = provider_->update(missing, want, provider_->diff(want, missing));
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.status().code(), Code::kNotFound) << why(lost);
}

TEST_P(AetherIT, FindLostCreateByProjectHardwareAndWindow) {
  model::Workspace want = aether_ws("lost", 3);
  auto before = std::chrono::system_clock::now();
  // Another shape in the same project: never a candidate.
  ASSERT_TRUE(provider_->create(aether_ws("other", 1)));

  set_faults(kAether, {{"dropAfterCreateRate", 1.0}});
  auto created = provider_->create(want);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
  set_faults(kAether, {{"dropAfterCreateRate", 0.0}});
  EXPECT_EQ(calls(kAether, "create", "dropped"), 1);
  EXPECT_EQ(calls(kAether, "create"), 2);

  auto found = provider_->find_lost_create(want, {before, milliseconds(3000)});
  ASSERT_TRUE(found) << why(found);
  ASSERT_EQ(found->candidates.size(), 1u);
  EXPECT_EQ(found->candidates[0].hardware->cpus, 3);
  EXPECT_FALSE(found->conclusive);  // the lost request's window is still open

  // A request long dead, whose window holds nothing: conclusive and empty.
  auto old = before - std::chrono::hours(1);
  auto none = provider_->find_lost_create(want, {old, milliseconds(3000)});
  ASSERT_TRUE(none) << why(none);
  EXPECT_TRUE(none->candidates.empty());
  EXPECT_TRUE(none->conclusive);
}

TEST_P(AetherIT, ErrorBodiesMapToCategories) {
  model::Workspace nowhere = aether_ws("nowhere");
  with_spec(nowhere, [](auto& s) { s.project_id = "00000000-0000-4000-8000-00000000dead"; });
  auto created = provider_->create(nowhere);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kNotFound) << why(created);
  EXPECT_NE(created.status().message().find("project not found"), std::string::npos);

  model::Workspace huge = aether_ws("huge", 64);
  created = provider_->create(huge);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
  EXPECT_NE(created.status().message().find("cpus must be between 1 and 8"), std::string::npos);

  auto got = provider_->get("00000000-0000-4000-8000-0000000000ff");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound);
  EXPECT_EQ(calls(kAether, "create"), 2);
}

TEST_P(AetherIT, ProvisioningFailureCarriesTheMessage) {
  sim::SimConfig c = simtest::test_config();
  sim::aether::options_of(c).error_rate = 1.0;
  start_sim(std::move(c));
  provider_ = make(kAether);
  auto created = provider_->create(aether_ws("doomed"));
  ASSERT_TRUE(created) << why(created);
  RemoteWorkspace failed = wait_for(created->id, Phase::kFailed);
  EXPECT_EQ(failed.status, "error");
  EXPECT_NE(failed.error_message.find("provisioning failed"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Integration, AetherIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
