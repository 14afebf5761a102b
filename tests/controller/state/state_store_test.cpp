// The StateStore contract (state_store.h): the cases every store passes,
// instantiated by each store's test binary (state_store_contract.h).
#include "controller/state/state_store.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/controller/state/state_store_contract.h"
#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using test_support::at_millis;
using test_support::full_record;
using test_support::new_record;

using test_support::StateStoreTest;

TEST_P(StateStoreTest, RoundTripsEveryFieldAcrossReopen) {
  WorkspaceRecord record = full_record("team-a", "ml");
  {
    auto store = open_store();
    ASSERT_TRUE(store->put(record)) << "put";
    auto got = store->get(record.key);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, record);
  }
  auto store = open_store();
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ(**got, record);
}

TEST_P(StateStoreTest, RoundTripsUnsetOptionalFields) {
  auto store = open_store();
  WorkspaceRecord record = new_record("default", "bare");
  ASSERT_TRUE(store->put(record));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ(**got, record);
  EXPECT_FALSE((*got)->remote_id.has_value());
  EXPECT_FALSE((*got)->conditions.ready.last_transition_time.has_value());
}

TEST_P(StateStoreTest, KeysAreOrderedWithTheirOwners) {
  auto store = open_store();
  WorkspaceRecord b = full_record("b", "one");
  WorkspaceRecord a = new_record("a", "two");
  a.owner_instance_id = "other";
  ASSERT_TRUE(store->put_all({b, a}));
  auto keys = store->keys();
  ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key, a.key);
  EXPECT_EQ((*keys)[0].owner_instance_id, "other");
  EXPECT_EQ((*keys)[1].key, b.key);
  EXPECT_EQ((*keys)[1].owner_instance_id, "instance-1");
}

TEST_P(StateStoreTest, CountsRecordsByProviderConfigAndConditions) {
  auto store = open_store();
  std::vector<WorkspaceRecord> records;
  for (int i = 0; i < 3; ++i) {
    records.push_back(full_record("a", "ready-" + std::to_string(i)));
    records.back().conditions.synced.status = model::ConditionStatus::kTrue;
  }
  WorkspaceRecord stuck = new_record("a", "stuck");
  stuck.conditions.synced = {
      model::ConditionStatus::kFalse, "CreatePendingUnresolved", "run import", {}};
  records.push_back(stuck);
  records.push_back(new_record("a", "fresh"));
  ASSERT_TRUE(store->put_all(records));

  auto counts = store->count_by_condition();
  ASSERT_TRUE(counts.is_ok()) << counts.status().to_string();
  using Pair = std::pair<int64_t, int64_t>;  // records, unresolved
  std::map<std::string, Pair> seen;
  for (const auto& c : *counts) {
    seen[c.provider_config + " " + to_string(c.ready) + " " + to_string(c.synced)] = {c.records,
                                                                                      c.unresolved};
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen["aether-prod True True"], Pair(3, 0));
  EXPECT_EQ(seen["paradigm-prod Unknown False"], Pair(1, 1));
  EXPECT_EQ(seen["paradigm-prod Unknown Unknown"], Pair(1, 0));
}

TEST_P(StateStoreTest, GetOfUnknownKeyIsEmptyNotAnError) {
  auto store = open_store();
  auto got = store->get({"default", "nothing"});
  ASSERT_TRUE(got.is_ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(StateStoreTest, PutReplacesTheWholeRecord) {
  auto store = open_store();
  WorkspaceRecord record = full_record("a", "x");
  ASSERT_TRUE(store->put(record));
  record.remote_id.reset();
  record.observed_json = "{}";
  record.applied_generation = 43;
  ASSERT_TRUE(store->put(record));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ(**got, record);
}

TEST_P(StateStoreTest, ListIsOrderedAndFiltersByProviderConfig) {
  auto store = open_store();
  WorkspaceRecord b = full_record("b", "one");
  WorkspaceRecord a2 = full_record("a", "two");
  WorkspaceRecord a1 = new_record("a", "one");
  ASSERT_TRUE(store->put_all({b, a2, a1}));

  auto all = store->list({});
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], a1);
  EXPECT_EQ((*all)[1], a2);
  EXPECT_EQ((*all)[2], b);

  auto aether = store->list({.provider_config = "aether-prod"});
  ASSERT_TRUE(aether.is_ok());
  ASSERT_EQ(aether->size(), 2u);
  EXPECT_EQ((*aether)[0].key, a2.key);
  EXPECT_EQ((*aether)[1].key, b.key);

  auto none = store->list({.provider_config = "nope"});
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StateStoreTest, RemoveDropsTheRecordAndReportsAMissingOne) {
  auto store = open_store();
  WorkspaceRecord record = full_record("a", "x");
  ASSERT_TRUE(store->put(record));
  EXPECT_TRUE(store->remove(record.key));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok());
  EXPECT_FALSE(got->has_value());
  // Its remote id is free again.
  auto owner = store->find_by_remote_id(record.provider_config, *record.remote_id);
  ASSERT_TRUE(owner.is_ok());
  EXPECT_FALSE(owner->has_value());
  Status again = store->remove(record.key);
  EXPECT_EQ(again.code(), Code::kNotFound);
}

TEST_P(StateStoreTest, BeginCreatePersistsPendingBeforeAnyCompletion) {
  WorkspaceRecord record = new_record("team-a", "ws");
  record.conditions.synced = {model::ConditionStatus::kUnknown, "Creating", "", std::nullopt};
  {
    auto store = open_store();
    auto begun = store->begin_create(record, at_millis(1'000'000));
    ASSERT_TRUE(begun.is_ok()) << begun.status().to_string();
    EXPECT_EQ(begun->create.state, CreateState::kPending);
    EXPECT_EQ(begun->create.pending_attempts, 1);
    // Closed without complete_create: the process stopped after the POST.
  }
  auto store = open_store();
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  const WorkspaceRecord& stored = **got;
  EXPECT_EQ(stored.create.state, CreateState::kPending);
  EXPECT_EQ(stored.create.requested_at, at_millis(1'000'000));
  EXPECT_EQ(stored.create.request_digest, record.create.request_digest);
  EXPECT_EQ(stored.create.pending_attempts, 1);
  EXPECT_EQ(stored.origin, Origin::kCreated);
  EXPECT_FALSE(stored.remote_id.has_value());
  EXPECT_EQ(stored.conditions, record.conditions);
}

TEST_P(StateStoreTest, BeginCreateAgainWhilePendingCountsAttempts) {
  auto store = open_store();
  WorkspaceRecord record = new_record("a", "x");
  ASSERT_TRUE(store->begin_create(record, at_millis(1000)).is_ok());
  record.create.request_digest = "sha256:second";
  auto second = store->begin_create(record, at_millis(2000));
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->create.pending_attempts, 2);
  EXPECT_EQ(second->create.requested_at, at_millis(2000));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ(**got, *second);
  EXPECT_EQ((*got)->create.request_digest, "sha256:second");
}

TEST_P(StateStoreTest, CompleteCreateRecordsRemoteIdAndClearsPending) {
  auto store = open_store();
  WorkspaceRecord record = new_record("a", "x");
  ASSERT_TRUE(store->begin_create(record, at_millis(1000)).is_ok());
  ASSERT_TRUE(store->complete_create(record.key, "r-1", R"({"status":"ready"})"));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->remote_id, "r-1");
  EXPECT_EQ((*got)->create.state, CreateState::kSucceeded);
  EXPECT_EQ((*got)->create.pending_attempts, 0);
  EXPECT_EQ((*got)->create.requested_at, at_millis(1000));
  EXPECT_EQ((*got)->observed_json, R"({"status":"ready"})");
  EXPECT_EQ((*got)->origin, Origin::kCreated);
}

// The create's outcome settles in the same write; the journal's fields are
// the step's own, whatever the settling function does.
TEST_P(StateStoreTest, CompleteCreateSettlesTheRecordInTheSameWrite) {
  auto store = open_store();
  WorkspaceRecord record = new_record("a", "x");
  ASSERT_TRUE(store->begin_create(record, at_millis(1000)).is_ok());
  ASSERT_TRUE(store->complete_create(
      record.key, "r-1", R"({"status":"ready"})", [](WorkspaceRecord& settled) {
        settled.applied_digest = "sha256:applied";
        settled.last_applied_at = at_millis(2000);
        settled.conditions.ready = {model::ConditionStatus::kTrue, "Available", "",
                                    at_millis(2000)};
        settled.remote_id = "r-other";  // not the settler's
        settled.create.state = CreateState::kPending;
      }));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->applied_digest, "sha256:applied");
  EXPECT_EQ((*got)->last_applied_at, at_millis(2000));
  EXPECT_EQ((*got)->conditions.ready.status, model::ConditionStatus::kTrue);
  EXPECT_EQ((*got)->remote_id, "r-1");
  EXPECT_EQ((*got)->create.state, CreateState::kSucceeded);
  EXPECT_EQ((*got)->create.pending_attempts, 0);
}

TEST_P(StateStoreTest, CompleteCreateNeedsAPendingRecord) {
  auto store = open_store();
  EXPECT_EQ(store->complete_create({"a", "missing"}, "r", "{}").code(), Code::kNotFound);
  WorkspaceRecord record = new_record("a", "x");
  ASSERT_TRUE(store->put(record));  // create state: none
  EXPECT_EQ(store->complete_create(record.key, "r", "{}").code(), Code::kConflict);
}

TEST_P(StateStoreTest, BeginCreateRefusesARecordThatHasARemoteId) {
  auto store = open_store();
  WorkspaceRecord record = new_record("a", "x");
  ASSERT_TRUE(store->begin_create(record, at_millis(1000)).is_ok());
  ASSERT_TRUE(store->complete_create(record.key, "r-1", "{}"));
  auto again = store->begin_create(record, at_millis(2000));
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.status().code(), Code::kConflict);
  EXPECT_NE(again.status().message().find("r-1"), std::string::npos);
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  EXPECT_EQ((*got)->remote_id, "r-1");
  EXPECT_EQ((*got)->create.state, CreateState::kSucceeded);
}

TEST_P(StateStoreTest, FindByRemoteIdTellsOwnedFromUnowned) {
  auto store = open_store();
  WorkspaceRecord owned = full_record("a", "x");
  ASSERT_TRUE(store->put(owned));
  auto found = store->find_by_remote_id(owned.provider_config, *owned.remote_id);
  ASSERT_TRUE(found.is_ok() && found->has_value());
  EXPECT_EQ(**found, owned);
  auto other_config = store->find_by_remote_id("paradigm-prod", *owned.remote_id);
  ASSERT_TRUE(other_config.is_ok());
  EXPECT_FALSE(other_config->has_value());
  auto unowned = store->find_by_remote_id(owned.provider_config, "r-unknown");
  ASSERT_TRUE(unowned.is_ok());
  EXPECT_FALSE(unowned->has_value());
}

TEST_P(StateStoreTest, ARemoteWorkspaceHasAtMostOneOwner) {
  auto store = open_store();
  WorkspaceRecord first = full_record("a", "x");
  ASSERT_TRUE(store->put(first));
  WorkspaceRecord second = full_record("b", "y");
  second.remote_id = first.remote_id;
  Status put = store->put(second);
  EXPECT_EQ(put.code(), Code::kConflict);
  EXPECT_NE(put.message().find("a/x"), std::string::npos) << put.message();

  WorkspaceRecord pending = new_record("c", "z");
  pending.provider_config = first.provider_config;
  ASSERT_TRUE(store->begin_create(pending, at_millis(1)).is_ok());
  EXPECT_EQ(store->complete_create(pending.key, *first.remote_id, "{}").code(), Code::kConflict);
  auto still = store->get(pending.key);
  ASSERT_TRUE(still.is_ok() && still->has_value());
  EXPECT_EQ((*still)->create.state, CreateState::kPending);
}

// A rename: the record leaves one key for another in one transaction.
TEST_P(StateStoreTest, MoveHandsTheRemoteIdToAnotherKeyAtOnce) {
  auto store = open_store();
  WorkspaceRecord old_name = full_record("default", "old");
  WorkspaceRecord holder = full_record("default", "holder");
  ASSERT_TRUE(store->put_all({old_name, holder}));
  WorkspaceRecord renamed = old_name;
  renamed.key = {"default", "new"};
  ASSERT_TRUE(store->move(old_name.key, renamed));
  auto gone = store->get(old_name.key);
  ASSERT_TRUE(gone.is_ok());
  EXPECT_FALSE(gone->has_value());
  auto owner = store->find_by_remote_id(old_name.provider_config, *old_name.remote_id);
  ASSERT_TRUE(owner.is_ok() && owner->has_value());
  EXPECT_EQ(**owner, renamed);

  // Nothing to move: kNotFound, and nothing stored.
  WorkspaceRecord other = renamed;
  other.key = {"default", "other"};
  EXPECT_EQ(store->move(old_name.key, other).code(), Code::kNotFound);
  auto none = store->get(other.key);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());

  // A remote id another record holds: kConflict, and the source is kept.
  WorkspaceRecord clash = holder;
  clash.key = {"default", "clash"};
  EXPECT_EQ(store->move(renamed.key, clash).code(), Code::kConflict);
  auto kept = store->get(renamed.key);
  ASSERT_TRUE(kept.is_ok() && kept->has_value());
  EXPECT_EQ(**kept, renamed);
}

TEST_P(StateStoreTest, PutAllStoresAllOrNothing) {
  if (!harness_->atomic_put_all()) GTEST_SKIP() << "put_all is not one transaction in this store";
  auto store = open_store();
  WorkspaceRecord first = full_record("a", "x");
  WorkspaceRecord clash = full_record("b", "y");
  clash.remote_id = first.remote_id;
  EXPECT_EQ(store->put_all({first, clash}).code(), Code::kConflict);
  auto all = store->list({});
  ASSERT_TRUE(all.is_ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(StateStoreTest, SetConditionsChangesOnlyTheConditions) {
  auto store = open_store();
  WorkspaceRecord record = full_record("a", "x");
  ASSERT_TRUE(store->put(record));
  model::Conditions unresolved;
  unresolved.ready = {model::ConditionStatus::kUnknown, "", "", std::nullopt};
  unresolved.synced = {model::ConditionStatus::kFalse, "CreatePendingUnresolved",
                       "run `wsctl import` or `wsctl forget`", at_millis(5000)};
  ASSERT_TRUE(store->set_conditions(record.key, unresolved));
  auto got = store->get(record.key);
  ASSERT_TRUE(got.is_ok() && got->has_value());
  record.conditions = unresolved;
  EXPECT_EQ(**got, record);
  EXPECT_EQ(store->set_conditions({"a", "missing"}, unresolved).code(), Code::kNotFound);
}

TEST_P(StateStoreTest, MetaValuesRoundTripAndPersist) {
  {
    auto store = open_store();
    auto unset = store->get_meta("source.revision");
    ASSERT_TRUE(unset.is_ok());
    EXPECT_FALSE(unset->has_value());
    ASSERT_TRUE(store->set_meta("source.revision", "abc123"));
    ASSERT_TRUE(store->set_meta("source.revision", "def456"));
    ASSERT_TRUE(store->set_meta("other", ""));
    if (!harness_->durable_meta()) {
      EXPECT_EQ(*store->get_meta("source.revision"), std::optional<std::string>("def456"));
      EXPECT_EQ(*store->get_meta("other"), std::optional<std::string>(""));
      GTEST_SKIP() << "meta values are kept in memory in this store";
    }
  }
  auto store = open_store();
  auto revision = store->get_meta("source.revision");
  ASSERT_TRUE(revision.is_ok());
  EXPECT_EQ(*revision, std::optional<std::string>("def456"));
  auto other = store->get_meta("other");
  ASSERT_TRUE(other.is_ok());
  EXPECT_EQ(*other, std::optional<std::string>(""));
}

}  // namespace
}  // namespace wsop::state
