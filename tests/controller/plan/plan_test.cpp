// plan_workspace as a pure function: the decisions of ARCHITECTURE.md
// section 5 for one workspace, without providers or a state file.
#include "controller/plan/plan.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/controller/reconcile/fake_provider.h"

namespace wsop::plan {
namespace {

// A record of a workspace this instance created, as apply leaves it.
state::WorkspaceRecord created_record(const std::string& name) {
  state::WorkspaceRecord r;
  r.key = {"default", name};
  r.external_id = "default/" + name;
  r.provider_config = "paradigm";
  r.remote_id = "42";
  r.owner_instance_id = "default";
  r.create.state = state::CreateState::kSucceeded;
  return r;
}

model::Workspace workspace(const std::string& name) {
  model::Workspace ws;
  ws.name = name;
  ws.provider_config = "paradigm";
  ws.external_id = "default/" + name;
  return ws;
}

PlanOptions pruning() {
  PlanOptions options;
  options.prune = true;
  options.instance_id = "default";
  return options;
}

TEST(PlanRemovedTest, PrunesAnUnpausedRecordWithDeletionPolicyDelete) {
  state::WorkspaceRecord record = created_record("gone");
  WorkspacePlan p = plan_workspace(nullptr, &record, {}, nullptr, pruning());
  EXPECT_EQ(p.action, Action::kDelete) << p.note;
}

TEST(PlanRemovedTest, SkipsARecordPausedWhenLastAppliedEvenWithPrune) {
  for (auto policy : {model::DeletionPolicy::kDelete, model::DeletionPolicy::kOrphan}) {
    state::WorkspaceRecord record = created_record("gone");
    record.deletion_policy = policy;
    record.paused = true;
    WorkspacePlan p = plan_workspace(nullptr, &record, {}, nullptr, pruning());
    EXPECT_EQ(p.action, Action::kSkip) << p.note;
    EXPECT_NE(p.note.find("paused"), std::string::npos) << p.note;
    EXPECT_FALSE(writes_remote(p.action));
  }
}

TEST(PlanWorkspaceTest, SkipsAPausedManifestWhateverTheRecordSays) {
  model::Workspace ws = workspace("steady");
  ws.annotations[model::kAnnotationPaused] = "true";
  state::WorkspaceRecord record = created_record("steady");
  WorkspacePlan p = plan_workspace(&ws, &record, {}, nullptr, pruning());
  EXPECT_EQ(p.action, Action::kSkip);
  EXPECT_FALSE(p.unobserved);
}

// Diff must not pass an unreachable provider off as "no changes".
TEST(PlanWorkspaceTest, MarksAKnownRemoteThatCouldNotBeObserved) {
  model::Workspace ws = workspace("steady");
  state::WorkspaceRecord record = created_record("steady");
  WorkspacePlan p = plan_workspace(&ws, &record, {}, nullptr, pruning());
  EXPECT_EQ(p.action, Action::kNoop);
  EXPECT_TRUE(p.unobserved);
  EXPECT_NE(p.note.find("could not be observed"), std::string::npos) << p.note;

  Observation absent;
  absent.confirmed_absent = true;
  WorkspacePlan gone = plan_workspace(&ws, &record, absent, nullptr, pruning());
  EXPECT_EQ(gone.action, Action::kCreate);
  EXPECT_FALSE(gone.unobserved);
}

TEST(PlanWorkspaceTest, MarksPausedSkipsAsPaused) {
  model::Workspace ws = workspace("steady");
  ws.annotations[model::kAnnotationPaused] = "true";
  EXPECT_TRUE(plan_workspace(&ws, nullptr, {}, nullptr, pruning()).paused);
  state::WorkspaceRecord record = created_record("gone");
  record.paused = true;
  EXPECT_TRUE(plan_workspace(nullptr, &record, {}, nullptr, pruning()).paused);
  state::WorkspaceRecord other = created_record("gone");
  other.owner_instance_id = "another";
  WorkspacePlan not_ours = plan_workspace(nullptr, &other, {}, nullptr, pruning());
  EXPECT_EQ(not_ours.action, Action::kSkip);
  EXPECT_FALSE(not_ours.paused);
}

// Like `terraform plan`'s "+ name = ...": a create lists what it sends.
TEST(PlanWorkspaceTest, ACreateListsTheFieldsItSends) {
  model::Workspace ws = workspace("fresh");
  ws.display_name = "Fresh one";
  ws.description = "for the team";
  ws.labels["team"] = "a";
  WorkspacePlan p = plan_workspace(&ws, nullptr, {}, nullptr, pruning());
  ASSERT_EQ(p.action, Action::kCreate);
  std::map<std::string, std::string> got;
  for (const auto& a : p.attributes) got[a.path] = a.value;
  EXPECT_EQ(got["spec.displayName"], "\"Fresh one\"");
  EXPECT_EQ(got["spec.description"], "\"for the team\"");
  EXPECT_EQ(got["spec.externalId"], "\"default/fresh\"");
  EXPECT_EQ(got["metadata.labels.team"], "\"a\"");
  // Policies and the reference are this operator's, never sent.
  EXPECT_EQ(got.count("spec.deletionPolicy"), 0u);
  EXPECT_EQ(got.count("spec.managementPolicy"), 0u);
  EXPECT_EQ(got.count("spec.providerConfigRef.name"), 0u);

  // A provider without labels or a native external id receives neither.
  testing::FakeProvider provider;
  WorkspacePlan sent = plan_workspace(&ws, nullptr, {}, &provider, pruning());
  got.clear();
  for (const auto& a : sent.attributes) got[a.path] = a.value;
  EXPECT_EQ(got.count("metadata.labels.team"), 0u);
  EXPECT_EQ(got.count("spec.externalId"), 0u);
  EXPECT_EQ(got["spec.displayName"], "\"Fresh one\"");

  // Only a create lists attributes.
  state::WorkspaceRecord record = created_record("fresh");
  EXPECT_TRUE(plan_workspace(&ws, &record, {}, nullptr, pruning()).attributes.empty());
}

}  // namespace
}  // namespace wsop::plan
