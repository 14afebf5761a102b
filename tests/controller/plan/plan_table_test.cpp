// Every outcome of plan_workspace (controller/plan/plan.h) in one table:
// desired x record x observation x options -> action, flags and the note
// people read. One row per branch of plan.cpp; a new branch needs a row.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/plan/plan.h"
#include "tests/controller/reconcile/fake_provider.h"

namespace wsop::plan {
namespace {

// As FakeProvider, but a changed display name can only be replaced.
class ImmutableNameProvider : public testing::FakeProvider {
 public:
  std::vector<providers::FieldChange> diff(
      const model::Workspace& desired, const providers::RemoteWorkspace& observed) const override {
    auto changes = FakeProvider::diff(desired, observed);
    for (auto& change : changes) change.requires_replacement = change.path == "spec.displayName";
    return changes;
  }
};

// One row's inputs, made from a plain starting point by the row's edit.
struct Inputs {
  std::optional<model::Workspace> desired;
  std::optional<state::WorkspaceRecord> record;
  Observation observation;
  PlanOptions options;
  bool immutable_name = false;
};

struct Expected {
  Action action;
  std::string note;  // a part of the note ("" : the note is empty)
  bool blocked = false;
  bool paused = false;
  bool unobserved = false;
  bool local_only_change = false;
};

struct Row {
  const char* name;
  std::function<void(Inputs&)> edit;
  Expected expected;
};

// The starting point: a manifest in step with its record and its remote,
// this instance's, pruning on.
Inputs in_step() {
  Inputs in;
  model::Workspace ws;
  ws.name = "ws";
  ws.provider_config = "fake";
  ws.external_id = "default/ws";
  ws.display_name = "Steady";
  ws.description = "as applied";
  in.desired = ws;
  state::WorkspaceRecord record;
  record.key = {"default", "ws"};
  record.external_id = "default/ws";
  record.provider_config = "fake";
  record.remote_id = "42";
  record.owner_instance_id = "me";
  record.create.state = state::CreateState::kSucceeded;
  in.record = record;
  providers::RemoteWorkspace remote;
  remote.id = "42";
  remote.name = "Steady";
  remote.description = "as applied";
  remote.phase = providers::Phase::kReady;
  in.observation.remote = remote;
  in.options.prune = true;
  in.options.instance_id = "me";
  return in;
}

void no_manifest(Inputs& in) {
  in.desired.reset();
}
void drifted(Inputs& in) {
  in.observation.remote->description = "changed behind our back";
}
void renamed(Inputs& in) {
  in.desired->display_name = "Renamed";
  in.immutable_name = true;
}
void pending(Inputs& in) {
  in.record->remote_id.reset();
  in.record->create.state = state::CreateState::kPending;
  in.observation = {};
}
void never_created(Inputs& in) {
  in.record.reset();
  in.observation = {};
}

const std::vector<Row>& rows() {
  using model::DeletionPolicy;
  using model::ManagementPolicy;
  static const std::vector<Row> table = {
      // The manifest is in the source.
      {"in step", [](Inputs&) {}, {Action::kNoop, ""}},
      {"paused manifest",
       [](Inputs& in) {
         in.desired->annotations[model::kAnnotationPaused] = "true";
         drifted(in);
       },
       {Action::kSkip, "paused (workspace-operator.io/paused)", false, true}},
      {"new manifest", never_created, {Action::kCreate, ""}},
      {"remote deleted out of band",
       [](Inputs& in) {
         in.observation = {};
         in.observation.confirmed_absent = true;
       },
       {Action::kCreate, "remote workspace 42 no longer exists: create again"}},
      {"remote reported gone",
       [](Inputs& in) {
         in.observation.remote->phase = providers::Phase::kGone;
         in.observation.confirmed_absent = true;
       },
       {Action::kCreate, "no longer exists"}},
      {"remote not observable",
       [](Inputs& in) {
         in.observation = {std::nullopt, false, "HTTP 503"};
       },
       {Action::kNoop, "remote workspace 42 could not be observed: HTTP 503", false, false, true}},
      {"external-name on a new manifest",
       [](Inputs& in) {
         never_created(in);
         in.desired->annotations[model::kAnnotationExternalName] = "77";
       },
       {Action::kAdopt, "adopt remote workspace 77 (external-name annotation)"}},
      {"pending create", pending, {Action::kResolvePending, "outcome is unknown"}},
      {"external-name on a pending create",
       [](Inputs& in) {
         pending(in);
         in.desired->annotations[model::kAnnotationExternalName] = "77";
       },
       {Action::kAdopt, "resolves the pending create"}},
      {"ObserveOnly with nothing to observe",
       [](Inputs& in) {
         never_created(in);
         in.desired->management_policy = ManagementPolicy::kObserveOnly;
       },
       {Action::kSkip, "ObserveOnly: no remote workspace to observe"}},
      {"drift", drifted, {Action::kUpdate, ""}},
      {"drift under ObserveOnly",
       [](Inputs& in) {
         drifted(in);
         in.desired->management_policy = ManagementPolicy::kObserveOnly;
       },
       {Action::kNoop, "ObserveOnly: 1 difference(s) reported, not changed"}},
      {"drift under CreateOnly",
       [](Inputs& in) {
         drifted(in);
         in.desired->management_policy = ManagementPolicy::kCreateOnly;
       },
       {Action::kNoop, "CreateOnly: 1 difference(s) left alone"}},
      {"immutable change without --allow-replace",
       renamed,
       {Action::kReplace, "replacement needs --allow-replace", true}},
      {"immutable change with --allow-replace",
       [](Inputs& in) {
         renamed(in);
         in.options.allow_replace = true;
       },
       {Action::kReplace, "delete and create again"}},
      {"manifest changed where nothing is sent",
       [](Inputs& in) { in.record->applied_digest = "an older manifest"; },
       {Action::kNoop, "local only", false, false, false, true}},
      // The manifest left the source.
      {"pruning off",
       [](Inputs& in) {
         no_manifest(in);
         in.options.prune = false;
       },
       {Action::kSkip, "not in the source; pruning is off"}},
      {"paused when last applied",
       [](Inputs& in) {
         no_manifest(in);
         in.record->paused = true;
       },
       {Action::kSkip, "not pruned", false, true}},
      {"pending create left the source",
       [](Inputs& in) {
         no_manifest(in);
         in.record->create.state = state::CreateState::kPending;
       },
       {Action::kSkip, "`wsctl import` or `wsctl forget` it"}},
      {"another instance's",
       [](Inputs& in) {
         no_manifest(in);
         in.record->owner_instance_id = "another";
       },
       {Action::kSkip, "owned by operator instance \"another\""}},
      {"deletionPolicy Orphan",
       [](Inputs& in) {
         no_manifest(in);
         in.record->deletion_policy = DeletionPolicy::kOrphan;
       },
       {Action::kOrphan, "deletionPolicy Orphan: forgotten, remote kept"}},
      {"record never created",
       [](Inputs& in) {
         no_manifest(in);
         in.record->remote_id.reset();
       },
       {Action::kOrphan, "never created: record dropped"}},
      {"ObserveOnly left the source",
       [](Inputs& in) {
         no_manifest(in);
         in.record->management_policy = ManagementPolicy::kObserveOnly;
       },
       {Action::kOrphan, "ObserveOnly: forgotten, remote kept"}},
      {"CreateOnly left the source",
       [](Inputs& in) {
         no_manifest(in);
         in.record->management_policy = ManagementPolicy::kCreateOnly;
       },
       {Action::kOrphan, "CreateOnly: forgotten, remote kept"}},
      {"deletionPolicy Delete", no_manifest, {Action::kDelete, "deletionPolicy Delete"}},
  };
  return table;
}

TEST(PlanTableTest, EveryOutcome) {
  testing::FakeProvider mutable_fields;
  ImmutableNameProvider immutable_name;
  for (const Row& row : rows()) {
    SCOPED_TRACE(row.name);
    Inputs in = in_step();
    row.edit(in);
    const providers::Provider* provider =
        in.immutable_name ? static_cast<const providers::Provider*>(&immutable_name)
                          : &mutable_fields;
    WorkspacePlan p =
        plan_workspace(in.desired ? &*in.desired : nullptr, in.record ? &*in.record : nullptr,
                       in.observation, provider, in.options);
    const Expected& want = row.expected;
    EXPECT_EQ(to_string(p.action), std::string(to_string(want.action)));
    if (want.note.empty()) {
      EXPECT_EQ(p.note, "");
    } else {
      EXPECT_NE(p.note.find(want.note), std::string::npos) << p.note;
    }
    EXPECT_EQ(p.blocked, want.blocked);
    EXPECT_EQ(p.paused, want.paused);
    EXPECT_EQ(p.unobserved, want.unobserved);
    EXPECT_EQ(p.local_only_change, want.local_only_change);
    EXPECT_EQ(p.key.to_string(), "default/ws");
    EXPECT_EQ(p.provider_config, "fake");
    // An update or replace says what changes; a create says what it sends.
    EXPECT_EQ(!p.changes.empty(), p.action == Action::kUpdate || p.action == Action::kReplace ||
                                      p.note.find("difference(s)") != std::string::npos);
    EXPECT_EQ(!p.attributes.empty(), p.action == Action::kCreate);
  }
}

TEST(PlanTableTest, TheTableHasARowForEveryAction) {
  std::set<std::string> covered;
  for (const Row& row : rows()) covered.insert(to_string(row.expected.action));
  for (Action action :
       {Action::kNoop, Action::kCreate, Action::kAdopt, Action::kUpdate, Action::kReplace,
        Action::kResolvePending, Action::kDelete, Action::kOrphan, Action::kSkip}) {
    EXPECT_EQ(covered.count(to_string(action)), 1u) << to_string(action);
  }
}

}  // namespace
}  // namespace wsop::plan
