// The create journal's window (ARCHITECTURE.md section 4): a create whose
// outcome is unknown is created again only once the lookup proves it absent,
// which it cannot while the server may still commit it; past that window,
// what the lookup cannot settle is reported for the user to resolve.
#include <gtest/gtest.h>

#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::reconcile {
namespace {

using std::chrono::milliseconds;
using Fault = FakeProvider::CreateFault;

class CreateJournalTest : public ReconcilerTest {
 protected:
  std::string synced_reason() { return record().conditions.synced.reason; }
  std::string external_id() { return desired_->find(key_)->external_id; }
};

TEST_F(CreateJournalTest, CreateCommittedAfterTheDeadlineIsAdoptedNotDuplicated) {
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;  // our client gave up first
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  auto waiting = r.reconcile(key_);
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(waiting->requeue_after.has_value());
  EXPECT_EQ(synced_reason(), "CreatePending");
  EXPECT_EQ(record().create.state, state::CreateState::kPending);
  EXPECT_EQ(fake_.creates, 1);

  // The server commits the slow create now.
  providers::RemoteWorkspace late;
  late.id = "id-late";
  late.external_id = external_id();
  fake_.remote[late.id] = late;
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().remote_id, "id-late");
  EXPECT_EQ(record().create.state, state::CreateState::kSucceeded);
}

TEST_F(CreateJournalTest, TheAttemptCarriesTheConfiguredTimeouts) {
  config_ =
      "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: fake}\n"
      "spec: {type: cadenya, baseUrl: \"http://127.0.0.1:9\", credentials: {env: FAKE_TOKEN}, "
      "timeouts: {connect: 2s, request: 7s}}\n";
  set_manifests("  displayName: First\n");
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.lookups, 1);
  EXPECT_EQ(fake_.last_attempt.request_timeout, milliseconds(9000));
  EXPECT_EQ(fake_.last_attempt.requested_at, *record().create.requested_at);
}

TEST_F(CreateJournalTest, InconclusiveLookupPastTheWindowIsUnresolvedWithWhatToRun) {
  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  fake_.lookups_conclusive = false;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(synced_reason(), "CreatePending");
  EXPECT_EQ(events_.types.back(), EventType::kCreateAmbiguous);

  age_pending(std::chrono::minutes(10));
  auto blocked = r.reconcile(key_);
  ASSERT_TRUE(blocked);
  EXPECT_FALSE(blocked->requeue_after.has_value()) << "retrying nothing until the user acts";
  auto rec = record();
  EXPECT_EQ(rec.conditions.synced.status, model::ConditionStatus::kFalse);
  EXPECT_EQ(rec.conditions.synced.reason, "CreatePendingUnresolved");
  EXPECT_NE(rec.conditions.synced.message.find("wsctl import ws -n default"), std::string::npos)
      << rec.conditions.synced.message;
  EXPECT_NE(rec.conditions.synced.message.find("wsctl forget ws -n default"), std::string::npos);
  EXPECT_EQ(rec.create.state, state::CreateState::kPending);
  EXPECT_EQ(events_.types.back(), EventType::kCreatePendingUnresolved);
  EXPECT_EQ(fake_.creates, 1);
}

TEST_F(CreateJournalTest, OnlyCandidateOwnedByAnotherWorkspaceIsUnresolvedPastTheWindow) {
  providers::RemoteWorkspace theirs;
  theirs.id = "id-theirs";
  theirs.external_id = external_id();
  fake_.remote[theirs.id] = theirs;
  state::WorkspaceRecord other;
  other.key = {"default", "other"};
  other.provider_config = "fake";
  other.remote_id = theirs.id;
  ASSERT_TRUE(store_->put(other).is_ok());

  fake_.next_create_fault = Fault::kLoseAnswerBeforeCommit;
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(synced_reason(), "CreatePending");
  age_pending(std::chrono::minutes(10));
  ASSERT_TRUE(r.reconcile(key_));
  auto rec = record();
  EXPECT_EQ(rec.conditions.synced.reason, "CreatePendingUnresolved");
  EXPECT_NE(rec.conditions.synced.message.find("default/other"), std::string::npos)
      << rec.conditions.synced.message;
  EXPECT_NE(rec.conditions.synced.message.find("wsctl forget"), std::string::npos);
  EXPECT_EQ(fake_.creates, 1);
  EXPECT_EQ(fake_.remote.size(), 1u);
}

// A 429 is a refusal before processing (RFC 6585): the create is sent again
// in the same reconcile, the record pending at every send with the time of
// that send, since only the last can still commit.
TEST_F(CreateJournalTest, ThrottledCreateIsSentAgainWhileTheRecordStaysPending) {
  fake_.throttled_creates = 2;
  std::vector<state::WorkspaceRecord> at_each_send;
  fake_.on_create = [&] { at_each_send.push_back(record()); };
  auto r = reconciler();
  auto done = r.reconcile(key_);
  ASSERT_TRUE(done) << done.status().to_string();
  EXPECT_EQ(fake_.creates, 3);
  EXPECT_EQ(fake_.lookups, 0) << "a refused create needs no lookup";
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().create.state, state::CreateState::kSucceeded);
  ASSERT_EQ(at_each_send.size(), 3u);
  for (size_t i = 0; i < at_each_send.size(); ++i) {
    EXPECT_EQ(at_each_send[i].create.state, state::CreateState::kPending) << "send " << i;
    EXPECT_EQ(at_each_send[i].create.pending_attempts, static_cast<int>(i) + 1);
    if (i > 0) {
      EXPECT_GE(*at_each_send[i].create.requested_at, *at_each_send[i - 1].create.requested_at);
    }
  }
}

// Past the bound, a create throttled every time has failed like any refused
// one: nothing was made, so the record is no longer pending and the next
// reconcile creates without a lookup.
TEST_F(CreateJournalTest, CreateThrottledEveryTimeFailsAfterBoundedSends) {
  fake_.throttled_creates = 100;
  auto r = reconciler();
  auto failed = r.reconcile(key_);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.status().code(), Code::kRateLimited);
  EXPECT_EQ(fake_.creates, 5);
  EXPECT_EQ(synced_reason(), "CreateRateLimited");
  EXPECT_NE(record().create.state, state::CreateState::kPending);
  EXPECT_TRUE(fake_.remote.empty());

  fake_.throttled_creates = 0;
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 6);
  EXPECT_EQ(fake_.lookups, 0);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_EQ(record().create.state, state::CreateState::kSucceeded);
}

}  // namespace
}  // namespace wsop::reconcile
