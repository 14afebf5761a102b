#include "controller/reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/controller/reconcile/held_gate.h"
#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::reconcile {
namespace {

TEST_F(ReconcilerTest, CreatesOnceThenSendsNoWrites) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  auto rec = record();
  EXPECT_EQ(rec.remote_id, "id-1");
  EXPECT_EQ(rec.create.state, state::CreateState::kSucceeded);
  EXPECT_EQ(rec.conditions.ready.status, model::ConditionStatus::kTrue);
  EXPECT_EQ(rec.conditions.synced.status, model::ConditionStatus::kTrue);
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.writes(), 1);
}

// A provider's own fields are stored unread, and what a later read leaves
// out is kept from the last observation only where the provider says so
// (providers/provider.h, keep_unreported).
TEST_F(ReconcilerTest, AProvidersOwnFieldsAreStoredUnreadAndKeptWhereItSays) {
  fake_.create_vendor_fields = {{"zone", "b"}, {"size", 3}};
  fake_.kept_keys = {"zone"};
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  auto stored = nlohmann::json::parse(record().observed_json);
  EXPECT_EQ(stored["zone"], "b");
  EXPECT_EQ(stored["size"], 3);
  // The next read, a GET once the create's answer is older than the
  // maximum observation age (0 here), reports neither.
  fake_.remote["id-1"].vendor_fields = nullptr;
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_GE(fake_.gets, 1);
  stored = nlohmann::json::parse(record().observed_json);
  EXPECT_EQ(stored["zone"], "b") << stored.dump();
  EXPECT_FALSE(stored.contains("size")) << stored.dump();
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
  EXPECT_EQ(record().conditions.synced.status, model::ConditionStatus::kTrue);
}

TEST_F(ReconcilerTest, LostAnswerBeforeCommitCreatesAgainWhenTheLookupIsConclusive) {
  fake_.next_create_fault = FakeProvider::CreateFault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1) << "created again while the first create could still commit";
  age_pending(std::chrono::minutes(10));
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
  EXPECT_EQ(record().conditions.synced.status, model::ConditionStatus::kFalse);
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
  clock_.advance(std::chrono::milliseconds(
      1));  // the cached observation is now older than max_observation_age (0)
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.updates, 2);
  EXPECT_EQ(fake_.remote["id-1"].description, "one");
  EXPECT_EQ(events_.types.back(), EventType::kDriftCorrected);
}

TEST_F(ReconcilerTest, RecreatesAWorkspaceDeletedOutOfBand) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  fake_.remote.clear();
  clock_.advance(std::chrono::milliseconds(
      1));  // the cached observation is now older than max_observation_age (0)
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(record().remote_id, "id-2");
  // Counted as the drift it corrects, not as a first create.
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kDriftCorrected);
  EXPECT_NE(events_.messages.back().find("id-1"), std::string::npos) << events_.messages.back();
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
  EXPECT_EQ(record().conditions.ready.status, model::ConditionStatus::kFalse);
  fake_.remote["id-1"].phase = providers::Phase::kReady;
  auto second = r.reconcile(key_);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->requeue_after.has_value());
  EXPECT_EQ(record().conditions.ready.status, model::ConditionStatus::kTrue);
}

TEST_F(ReconcilerTest, ProvisioningIsPolledThroughTheListNotAGetEach) {
  fake_.create_phase = providers::Phase::kProvisioning;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  int gets = fake_.gets, lists = fake_.lists;
  fake_.remote["id-1"].phase = providers::Phase::kReady;
  auto second = r.reconcile(key_);
  ASSERT_TRUE(second);
  EXPECT_EQ(fake_.gets, gets);
  EXPECT_EQ(fake_.lists, lists + 1);
  EXPECT_EQ(record().conditions.ready.status, model::ConditionStatus::kTrue);
}

TEST_F(ReconcilerTest, ProvisioningIsDueWhenTheSharedListExpires) {
  using namespace std::chrono_literals;
  fake_.create_phase = providers::Phase::kProvisioning;
  provisioning_poll_ = 10s;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));   // the create: nothing listed yet
  auto polled = r.reconcile(key_);  // lists
  ASSERT_TRUE(polled && polled->requeue_after);
  EXPECT_GT(*polled->requeue_after, 9s);
  EXPECT_LE(*polled->requeue_after, 10001ms);
  int lists = fake_.lists;
  clock_.advance(50ms);
  // Read from the same list 50 ms later (another workspace's turn): due at
  // the list's expiry, not a full period from now.
  auto again = r.reconcile(key_);
  ASSERT_TRUE(again && again->requeue_after);
  EXPECT_EQ(fake_.lists, lists);
  EXPECT_EQ(*again->requeue_after, *polled->requeue_after - 50ms);
}

// While creates are answered the budget goes to them and polls come once a
// period; a period without a write means the creates are sent, and the
// last workspaces are polled quicker.
TEST_F(ReconcilerTest, ProvisioningIsPolledQuickerOnceTheCreatesAreSent) {
  using namespace std::chrono_literals;
  provisioning_poll_ = 200ms;
  provisioning_poll_quiet_ = 50ms;
  fake_.create_phase = providers::Phase::kProvisioning;
  auto r = reconciler();
  auto created = r.reconcile(key_);
  ASSERT_TRUE(created && created->requeue_after);
  EXPECT_EQ(*created->requeue_after, 200ms);  // a create was just answered
  clock_.advance(199ms);
  auto writing = r.reconcile(key_);
  ASSERT_TRUE(writing && writing->requeue_after);
  // Still within a period of the create: due a full period after the list
  // this poll sent, just past its expiry.
  EXPECT_EQ(*writing->requeue_after, 201ms);
  clock_.advance(1ms);  // no write for a full period
  auto polled = r.reconcile(key_);
  ASSERT_TRUE(polled && polled->requeue_after);
  EXPECT_GT(*polled->requeue_after, 0ms);
  EXPECT_LE(*polled->requeue_after, 51ms);
}

// Each poll lists the whole account: a slow list stretches the interval so
// that polling stays a tenth of the time.
TEST_F(ReconcilerTest, ASlowListStretchesThePollInterval) {
  using namespace std::chrono_literals;
  provisioning_poll_ = 100ms;
  provisioning_poll_quiet_ = 100ms;
  fake_.create_phase = providers::Phase::kProvisioning;
  fake_.list_delay = 50ms;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));   // the create
  auto polled = r.reconcile(key_);  // one 50 ms list
  ASSERT_TRUE(polled && polled->requeue_after);
  EXPECT_GT(*polled->requeue_after, 400ms);  // ten lists' length from its start
  EXPECT_LE(*polled->requeue_after, 501ms);
}

// The provisioning workspaces fall due together when the shared list
// expires: all but the one that lists come back when the list should land
// (or soon after, when it is overdue), instead of each holding a worker in
// the wait.
TEST_F(ReconcilerTest, APollThatWouldWaitForAnotherWorkersListComesBackWhenItLands) {
  using namespace std::chrono_literals;
  provisioning_poll_ = 10ms;
  provisioning_poll_quiet_ = 10ms;
  fake_.create_phase = providers::Phase::kProvisioning;
  fake_.list_delay = 100ms;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));  // the create
  ASSERT_TRUE(r.reconcile(key_));  // lists once
  const std::string config = record().provider_config;
  const auto list_took = cache_.list_duration(config);
  // Past the quiet interval (three lists' length): the next poll lists.
  clock_.advance(3 * list_took + 20ms);
  // The next list is held once sent, until the deferred poll is back (a
  // poll which waits instead fails after the gate's 10 s rather than hangs).
  HeldGate held;
  fake_.list_delay = 0ms;
  fake_.on_list = [&] { held.hold(); };
  int lists = fake_.lists, gets = fake_.gets;
  std::thread lister([&] { EXPECT_TRUE(r.reconcile(key_)); });
  held.wait_until_held();
  auto deferred = r.reconcile(key_);
  // Nor is a list that overran its estimate waited for: with hundreds of
  // polls due together, waiting held a provider's share of the workers.
  clock_.advance(list_took + 1s);
  auto overdue = r.reconcile(key_);
  held.release();
  lister.join();
  fake_.on_list = nullptr;
  ASSERT_TRUE(deferred && deferred->requeue_after);
  EXPECT_FALSE(deferred->provisioning);  // apply without --wait comes back for it too
  EXPECT_GT(*deferred->requeue_after, 0ms);
  // Due when the list should land, the last list's length after it began.
  EXPECT_LE(*deferred->requeue_after, list_took + 1ms);
  ASSERT_TRUE(overdue && overdue->requeue_after);
  EXPECT_EQ(*overdue->requeue_after, std::max(ObservedCache::kOverdueRecheck, list_took / 2) + 1ms);
  EXPECT_EQ(fake_.lists, lists + 1);
  EXPECT_EQ(fake_.gets, gets);
  // Once the list is in, the poll reads it.
  auto read = r.reconcile(key_);
  ASSERT_TRUE(read && read->requeue_after);
  EXPECT_TRUE(read->provisioning);
  EXPECT_EQ(fake_.lists, lists + 1);
}

}  // namespace
}  // namespace wsop::reconcile
