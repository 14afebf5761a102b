// What a first create checks before it sends anything: a workspace that
// already carries the manifest's identity (a lost state file) is adopted or
// reported, never duplicated; and two creates of one request are never
// unresolved at once, so a lost create's lookup is never ambiguous.
#include <gtest/gtest.h>

#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::reconcile {
namespace {

using Fault = FakeProvider::CreateFault;
using Proof = providers::ExistingIdentity::Proof;

class FirstCreateTest : public ReconcilerTest {
 protected:
  // A workspace made earlier by this operator, whose record is gone.
  void remote_with_our_identity(const std::string& id) {
    providers::RemoteWorkspace ws;
    ws.id = id;
    ws.name = "First";
    ws.description = "one";
    ws.external_id = "default/ws";
    fake_.remote[id] = ws;
  }

  // Two workspaces, "a" and "b", whose creates send the same request.
  void two_identical_workspaces() {
    std::string text = config_;
    for (const char* name : {"a", "b"}) {
      text += std::string("---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\n") +
              "metadata: {name: " + name +
              "}\nspec:\n  providerConfigRef: {name: fake}\n  displayName: Same\n";
    }
    auto loaded = manifest::load_texts({{"test.yaml", text}});
    ASSERT_TRUE(loaded.ok()) << loaded.errors[0].to_string();
    providers_->update(loaded.set.provider_configs);
    desired_ = std::make_shared<DesiredState>(std::move(loaded.set), "test");
  }

  std::string synced(const model::WorkspaceKey& key, std::string* message = nullptr) {
    auto r = store_->get(key);
    if (!r || !*r) return "<no record>";
    if (message) *message = (*r)->conditions.synced.message;
    return (*r)->conditions.synced.reason;
  }
};

TEST_F(FirstCreateTest, AWorkspaceThatProvesOwnershipIsAdoptedNotCreatedAgain) {
  fake_.identity_proof = Proof::kOwned;
  remote_with_our_identity("id-old");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().remote_id, "id-old");
  EXPECT_EQ(record().origin, state::Origin::kAdopted);
  EXPECT_EQ(record().conditions.synced.reason, "ReconcileSuccess");
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.front(), EventType::kAdopted);
}

// diff plans what apply would do: adopt, or refuse with the reason.
TEST_F(FirstCreateTest, ThePlanShowsTheAdoptionOrTheRefusal) {
  remote_with_our_identity("id-old");
  cache_.put_list("fake", {fake_.remote["id-old"]});
  auto r = reconciler();
  fake_.identity_proof = Proof::kOwned;
  auto adopt = r.plan(key_);
  ASSERT_TRUE(adopt);
  EXPECT_EQ(adopt->action, plan::Action::kAdopt);
  EXPECT_NE(adopt->note.find("id-old"), std::string::npos) << adopt->note;
  fake_.identity_proof = Proof::kSameName;
  auto refused = r.plan(key_);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->action, plan::Action::kCreate);
  EXPECT_TRUE(refused->blocked);
  EXPECT_NE(refused->note.find("AlreadyExists"), std::string::npos) << refused->note;
  EXPECT_EQ(fake_.writes(), 0);
  EXPECT_EQ(fake_.lists, 0);  // a plan reads the cached list only
}

TEST_F(FirstCreateTest, TheLookupListsFirstWhenNoListIsKnown) {
  fake_.identity_proof = Proof::kOwned;
  remote_with_our_identity("id-old");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.lists, 1);  // nothing was listed before: one list, then no create
  EXPECT_EQ(fake_.creates, 0);
}

TEST_F(FirstCreateTest, AFailedListCreatesNothing) {
  fake_.identity_proof = Proof::kOwned;
  fake_.fail_lists = 1;
  auto r = reconciler();
  EXPECT_FALSE(r.reconcile(key_));  // retried with backoff
  EXPECT_EQ(fake_.creates, 0);
  ASSERT_TRUE(r.reconcile(key_));  // the list works now and shows nothing of ours
  EXPECT_EQ(fake_.creates, 1);
}

TEST_F(FirstCreateTest, SeveralMatchesAreReportedWithTheImportCommand) {
  fake_.identity_proof = Proof::kOwned;
  remote_with_our_identity("id-1");
  remote_with_our_identity("id-2");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  std::string message;
  EXPECT_EQ(synced(key_, &message), "AlreadyExists");
  EXPECT_NE(message.find("id-1, id-2"), std::string::npos) << message;
  EXPECT_NE(message.find("wsctl import ws -n default --id id-1"), std::string::npos) << message;
}

TEST_F(FirstCreateTest, ATakenNameIsReportedNotDuplicated) {
  fake_.identity_proof = Proof::kSameName;
  remote_with_our_identity("id-theirs");
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  std::string message;
  EXPECT_EQ(synced(key_, &message), "AlreadyExists");
  EXPECT_NE(message.find("wsctl import ws -n default --id id-theirs"), std::string::npos);
  EXPECT_NE(message.find("allowDuplicateNames"), std::string::npos) << message;
  EXPECT_FALSE(record().remote_id.has_value());
}

TEST_F(FirstCreateTest, AMatchManagedByAnotherWorkspaceIsNamed) {
  fake_.identity_proof = Proof::kSameName;
  remote_with_our_identity("id-other");
  state::WorkspaceRecord other;
  other.key = {"default", "other"};
  other.provider_config = "fake";
  other.remote_id = "id-other";
  other.owner_instance_id = "test";
  ASSERT_TRUE(store_->put(other).is_ok());
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  std::string message;
  EXPECT_EQ(synced(key_, &message), "AlreadyExists");
  EXPECT_NE(message.find("managed by default/other"), std::string::npos) << message;
}

TEST_F(FirstCreateTest, WithoutAMatchTheCreateGoesAhead) {
  fake_.identity_proof = Proof::kOwned;
  providers::RemoteWorkspace unrelated;
  unrelated.id = "id-x";
  unrelated.external_id = "default/other";
  fake_.remote[unrelated.id] = unrelated;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(record().origin, state::Origin::kCreated);
}

TEST_F(FirstCreateTest, ASecondIdenticalCreateWaitsWhileTheFirstIsUnresolved) {
  two_identical_workspaces();
  model::WorkspaceKey a{"default", "a"}, b{"default", "b"};
  fake_.lookups_conclusive = false;
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(a));  // sent, answer lost: pending
  EXPECT_EQ(fake_.creates, 1);
  auto waiting = r.reconcile(b);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(fake_.creates, 1) << "b must not send the same request while a is unresolved";
  EXPECT_TRUE(waiting->requeue_after.has_value());
  std::string message;
  EXPECT_EQ(synced(b, &message), "CreateQueued");
  EXPECT_NE(message.find("default/a"), std::string::npos) << message;

  // a's workspace shows up: a adopts it, and b may create its own.
  providers::RemoteWorkspace late;
  late.id = "id-late";
  late.name = "Same";
  late.external_id = "default/a";
  fake_.remote[late.id] = late;
  ASSERT_TRUE(r.reconcile(a));
  EXPECT_EQ(synced(a), "ReconcileSuccess");
  ASSERT_TRUE(r.reconcile(b));
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(synced(b), "ReconcileSuccess");
}

TEST_F(FirstCreateTest, APendingCreateLeftByAnEarlierProcessHoldsItsRequest) {
  two_identical_workspaces();
  model::WorkspaceKey a{"default", "a"}, b{"default", "b"};
  fake_.lookups_conclusive = false;
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  ASSERT_TRUE(reconciler().reconcile(a));
  // A new process (a new reconciler, so a new gate) finds a's record pending.
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(b));
  EXPECT_EQ(fake_.creates, 1);
}

TEST_F(FirstCreateTest, ARefusedCreateFreesTheRequestAtOnce) {
  two_identical_workspaces();
  model::WorkspaceKey a{"default", "a"}, b{"default", "b"};
  fake_.next_create_fault = Fault::kRefuse;
  auto r = reconciler();
  EXPECT_FALSE(r.reconcile(a));  // refused: retried with backoff, nothing pending
  ASSERT_TRUE(r.reconcile(b));
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(synced(b), "ReconcileSuccess");
}

// Aether's lookup matches what was sent, so it also finds the machines of
// workspaces that sent the same request before. Those went one at a time
// and each settled its own: a lookup that finds only them, past the
// window, proves the lost create made nothing.
TEST_F(FirstCreateTest, OnlyMachinesOfTheSameRequestSettledByOthersProveAbsence) {
  two_identical_workspaces();
  model::WorkspaceKey a{"default", "a"}, b{"default", "b"};
  fake_.lookup_by_name = true;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(b));  // b's machine, answered
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  ASSERT_TRUE(r.reconcile(a));  // a's create made nothing, answer lost
  ASSERT_TRUE(r.reconcile(a));
  EXPECT_EQ(synced(a), "CreatePending");  // within the window: it may yet commit
  key_ = a;
  age_pending(std::chrono::seconds(600));
  ASSERT_TRUE(r.reconcile(a));
  EXPECT_EQ(fake_.creates, 3);
  EXPECT_EQ(synced(a), "ReconcileSuccess");
  EXPECT_EQ(fake_.remote.size(), 2u);
}

TEST_F(FirstCreateTest, AMachineOwnedByAnotherRequestStillLeavesItUnresolved) {
  two_identical_workspaces();
  model::WorkspaceKey a{"default", "a"};
  fake_.lookup_by_name = true;
  providers::RemoteWorkspace imported;
  imported.id = "id-imported";
  imported.name = "Same";
  fake_.remote[imported.id] = imported;
  state::WorkspaceRecord other;
  other.key = {"default", "imported"};
  other.provider_config = "fake";
  other.remote_id = imported.id;
  other.owner_instance_id = "test";
  other.origin = state::Origin::kAdopted;  // no request of its own
  ASSERT_TRUE(store_->put(other).is_ok());
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(a));
  key_ = a;
  age_pending(std::chrono::seconds(600));
  ASSERT_TRUE(r.reconcile(a));
  EXPECT_EQ(synced(a), "CreatePendingUnresolved");
  EXPECT_EQ(fake_.creates, 1);
}

}  // namespace
}  // namespace wsop::reconcile
