// Every outcome of plan_request (controller/plan/request.h) in one table:
// request x manifest x record x facts -> action, or the refusal's code and
// words. `wsctl delete`, `forget` and `import` are these plans, carried out
// by the reconciler; one row per branch of request.cpp.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/plan/request.h"

namespace wsop::plan {
namespace {

struct RequestInputs {
  Request request;
  std::optional<model::Workspace> desired;
  std::optional<state::WorkspaceRecord> record;
  std::optional<state::WorkspaceRecord> holder;  // another key's record of import_id
  RequestFacts facts;
  PlanOptions options;
};

struct RequestExpected {
  std::optional<Action> action;  // nullopt: refused
  Code code = Code::kOk;         // the refusal's
  std::string words;             // a part of the note, or of the refusal's message
  std::optional<std::string> moved_from = std::nullopt;
};

struct RequestRow {
  const char* name;
  std::function<void(RequestInputs&)> edit;
  RequestExpected expected;
};

// The starting point: a delete of "ws", this instance's, created, its
// manifest and ProviderConfig in the source.
RequestInputs managed_request() {
  RequestInputs in;
  model::Workspace ws;
  ws.name = "ws";
  ws.provider_config = "fake";
  in.desired = ws;
  state::WorkspaceRecord record;
  record.key = {"default", "ws"};
  record.provider_config = "fake";
  record.remote_id = "42";
  record.owner_instance_id = "me";
  record.create.state = state::CreateState::kSucceeded;
  in.record = record;
  in.facts.provider_config_defined = true;
  in.options.instance_id = "me";
  return in;
}

void as_forget(RequestInputs& in) {
  in.request = {RequestKind::kForget, ""};
}
void as_import(RequestInputs& in) {
  in.request = {RequestKind::kImport, "77"};
  in.record.reset();
}
// Another key's record holds the remote being imported.
void held_elsewhere(RequestInputs& in) {
  as_import(in);
  state::WorkspaceRecord holder;
  holder.key = {"default", "old"};
  holder.provider_config = "fake";
  holder.remote_id = "77";
  holder.owner_instance_id = "me";
  in.holder = holder;
}

const std::vector<RequestRow>& request_rows() {
  static const std::vector<RequestRow> table = {
      // wsctl delete
      {"delete", [](RequestInputs&) {}, {Action::kDelete, Code::kOk, "deletionPolicy Delete"}},
      {"delete of nothing managed",
       [](RequestInputs& in) { in.record.reset(); },
       {std::nullopt, Code::kNotFound, "default/ws is not managed"}},
      {"delete of another instance's workspace",
       [](RequestInputs& in) { in.record->owner_instance_id = "another"; },
       {std::nullopt, Code::kConflict, "owned by operator instance \"another\""}},
      {"delete of a pending create",
       [](RequestInputs& in) { in.record->create.state = state::CreateState::kPending; },
       {std::nullopt, Code::kConflict, "a create's outcome is unknown"}},
      {"delete of a paused manifest",
       [](RequestInputs& in) { in.desired->annotations[model::kAnnotationPaused] = "true"; },
       {std::nullopt, Code::kConflict, "is paused"}},
      {"delete of a record paused when its manifest left",
       [](RequestInputs& in) {
         in.desired.reset();
         in.record->paused = true;
       },
       {std::nullopt, Code::kConflict, "is paused"}},
      {"delete without the ProviderConfig",
       [](RequestInputs& in) { in.facts.provider_config_defined = false; },
       {std::nullopt, Code::kInvalid, "needs ProviderConfig \"fake\""}},
      {"delete of a record never created",
       [](RequestInputs& in) {
         in.record->remote_id.reset();
         in.facts.provider_config_defined = false;
       },
       {Action::kOrphan, Code::kOk, "never created"}},
      {"delete under deletionPolicy Orphan (the manifest's)",
       [](RequestInputs& in) { in.desired->deletion_policy = model::DeletionPolicy::kOrphan; },
       {Action::kOrphan, Code::kOk, "deletionPolicy Orphan"}},
      {"delete under ObserveOnly (the record's, the manifest gone)",
       [](RequestInputs& in) {
         in.desired.reset();
         in.record->management_policy = model::ManagementPolicy::kObserveOnly;
       },
       {Action::kOrphan, Code::kOk, "ObserveOnly"}},
      // wsctl forget
      {"forget", as_forget, {Action::kOrphan, Code::kOk, "remote workspace 42 kept"}},
      {"forget of another instance's workspace (the remote is untouched)",
       [](RequestInputs& in) {
         as_forget(in);
         in.record->owner_instance_id = "another";
       },
       {Action::kOrphan, Code::kOk, "forgotten"}},
      {"forget of nothing managed",
       [](RequestInputs& in) {
         as_forget(in);
         in.record.reset();
       },
       {std::nullopt, Code::kNotFound, "no state record for workspace default/ws"}},
      // wsctl import
      {"import", as_import, {Action::kAdopt, Code::kOk, "import remote workspace 77"}},
      {"import without a manifest",
       [](RequestInputs& in) {
         as_import(in);
         in.desired.reset();
       },
       {std::nullopt, Code::kInvalid, "no manifest for default/ws"}},
      {"import over another instance's record",
       [](RequestInputs& in) {
         as_import(in);
         in.record = managed_request().record;
         in.record->owner_instance_id = "another";
       },
       {std::nullopt, Code::kConflict, "owned by operator instance \"another\""}},
      {"import of a remote whose manifest left the source: a rename",
       held_elsewhere,
       {Action::kAdopt, Code::kOk, "moved from default/old", "default/old"}},
      {"import of a remote managed by a manifest in the source",
       [](RequestInputs& in) {
         held_elsewhere(in);
         in.facts.holder_in_source = true;
       },
       {std::nullopt, Code::kConflict, "already managed by default/old"}},
      {"import of a remote another instance manages",
       [](RequestInputs& in) {
         held_elsewhere(in);
         in.holder->owner_instance_id = "another";
       },
       {std::nullopt, Code::kConflict, "owned by operator instance \"another\""}},
  };
  return table;
}

TEST(RequestTableTest, EveryOutcome) {
  for (const RequestRow& row : request_rows()) {
    SCOPED_TRACE(row.name);
    RequestInputs in = managed_request();
    row.edit(in);
    if (in.holder) in.facts.import_holder = &*in.holder;
    auto planned = plan_request(in.request, {"default", "ws"}, in.desired ? &*in.desired : nullptr,
                                in.record ? &*in.record : nullptr, in.facts, in.options);
    const RequestExpected& want = row.expected;
    if (!want.action) {
      ASSERT_FALSE(planned) << to_string(planned->action);
      EXPECT_EQ(planned.status().code(), want.code);
      EXPECT_NE(planned.status().message().find(want.words), std::string::npos)
          << planned.status().message();
      continue;
    }
    ASSERT_TRUE(planned) << planned.status().to_string();
    EXPECT_EQ(to_string(planned->action), std::string(to_string(*want.action)));
    EXPECT_NE(planned->note.find(want.words), std::string::npos) << planned->note;
    EXPECT_EQ(planned->key.to_string(), "default/ws");
    EXPECT_EQ(planned->provider_config, "fake");
    EXPECT_EQ(planned->moved_from ? std::optional(planned->moved_from->to_string()) : std::nullopt,
              want.moved_from);
  }
}

// A delete is a delete whoever asks: what the planner prunes and what a
// person deletes by name are the same two actions, and a request never
// plans anything else.
TEST(RequestTableTest, RequestsPlanOnlyDeleteOrphanAndAdopt) {
  std::set<std::string> planned;
  for (const RequestRow& row : request_rows()) {
    if (row.expected.action) planned.insert(to_string(*row.expected.action));
  }
  EXPECT_EQ(planned, (std::set<std::string>{"delete", "orphan", "adopt"}));
}

}  // namespace
}  // namespace wsop::plan
