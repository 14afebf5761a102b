// KubeStateStore's reads (controller/state/kube_state_store.h) against the
// Kubernetes API double: a read right after a write sees it before the
// informer does; reads never call the API; find_by_remote_id (also of a
// record another writer made), keys,
// pending_creates and count_by_condition; the order by namespace then name;
// a damaged record annotation reported by name without hiding the others;
// many threads at once; written objects that are never read again do not
// stay in memory once the informer has them.
#include <thread>

#include "tests/controller/state/kube_state_support.h"

namespace wsop::state::kubestore_test {
namespace {

using test_support::full_record;
using test_support::new_record;

TEST_F(KubeStoreTest, ReadsItsOwnWritesBeforeTheInformerSeesThem) {
  create_object("ws");
  start();
  informer_->stop();  // the watch will deliver nothing more
  WorkspaceRecord record = full_record("default", "ws");
  ASSERT_TRUE(store_->put(record));
  EXPECT_FALSE(record_of(*informer_->get("default", "ws"))->has_value());
  auto got = store_->get(record.key);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, record);
  auto listed = store_->list({});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), record);
  auto owner = store_->find_by_remote_id(record.provider_config, *record.remote_id);
  ASSERT_TRUE(owner && owner->has_value());
  EXPECT_EQ((*owner)->key, record.key);
  EXPECT_EQ(store_->keys()->size(), 1u);
}

TEST_F(KubeStoreTest, TheInformersNewerCopyReplacesTheWrittenOne) {
  create_object("ws");
  start();
  WorkspaceRecord record = new_record("default", "ws");
  ASSERT_TRUE(store_->put(record));
  ASSERT_TRUE(informer_caught_up(record.key));
  // A user's later change reaches the store through the informer alone.
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"labels", {{"team", "blue"}}}}}}));
  EXPECT_TRUE(kubetest::eventually([&] {
    return (*store_->object(record.key))["metadata"]["labels"].value("team", "") == "blue";
  }));
  EXPECT_EQ(**store_->get(record.key), record);
}

TEST_F(KubeStoreTest, FindsARemoteNamedByAWriteItDidNotMake) {
  create_object("ws");
  start();
  WorkspaceRecord record = full_record("default", "ws");
  auto before = store_->find_by_remote_id(record.provider_config, *record.remote_id);
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->has_value());
  // Another replica (or a restore) writes the record: the informer alone tells.
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"annotations", record_annotations(record)}}}}));
  EXPECT_TRUE(kubetest::eventually([&] {
    auto found = store_->find_by_remote_id(record.provider_config, *record.remote_id);
    return found && found->has_value() && (*found)->key == record.key;
  }));
  // And the index forgets what the informer no longer shows.
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"annotations", removed_record_annotations()}}}}));
  EXPECT_TRUE(kubetest::eventually([&] {
    auto found = store_->find_by_remote_id(record.provider_config, *record.remote_id);
    return found && !found->has_value();
  }));
}

TEST_F(KubeStoreTest, ReadsNeverCallTheApi) {
  create_object("a");
  create_object("b");
  start();
  ASSERT_TRUE(store_->put(full_record("default", "a")));
  ASSERT_TRUE(kube_.reset_stats());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->get({"default", "a"}));
    ASSERT_TRUE(store_->get({"default", "absent"}));
    ASSERT_TRUE(store_->list({}));
    ASSERT_TRUE(store_->keys());
    ASSERT_TRUE(store_->pending_creates());
    ASSERT_TRUE(store_->count_by_condition());
    ASSERT_TRUE(store_->find_by_remote_id("aether-prod", "remote-default-a"));
  }
  auto stats = kube_.stats();
  ASSERT_TRUE(stats);
  for (const char* verb : {"get", "list", "patch"}) {
    EXPECT_EQ((*stats)["byVerb"].value(verb, 0), 0) << verb << ": " << stats->dump();
  }
}

TEST_F(KubeStoreTest, KeysPendingCreatesAndCountsReadTheRecords) {
  // "a" sorts before "a-b" as a namespace, after it as "ns/name" text.
  create_object("z", "a");
  create_object("y", "a-b");
  create_object("ready-1");
  create_object("ready-2");
  create_object("stuck");
  create_object("no-record");
  start();
  WorkspaceRecord z = full_record("a", "z");
  WorkspaceRecord y = new_record("a-b", "y");
  y.owner_instance_id = "other";
  ASSERT_TRUE(store_->put_all({z, y}));
  for (const char* name : {"ready-1", "ready-2"}) {
    WorkspaceRecord ready = full_record("default", name);
    ready.remote_id = std::string("r-") + name;
    ready.conditions.synced.status = model::ConditionStatus::kTrue;
    ASSERT_TRUE(store_->put(ready));
  }
  ASSERT_TRUE(store_->begin_create(new_record("default", "stuck"), test_support::at_millis(1)));
  model::Conditions unresolved;
  unresolved.synced = {model::ConditionStatus::kFalse, "CreatePendingUnresolved", "annotate", {}};
  ASSERT_TRUE(store_->set_conditions({"default", "stuck"}, unresolved));

  auto keys = store_->keys();
  ASSERT_TRUE(keys);
  std::vector<std::string> order;
  for (const RecordKey& k : *keys) order.push_back(k.key.to_string() + "@" + k.owner_instance_id);
  EXPECT_EQ(order,
            (std::vector<std::string>{"a/z@instance-1", "a-b/y@other", "default/ready-1@instance-1",
                                      "default/ready-2@instance-1", "default/stuck@instance-1"}));
  auto pending = store_->pending_creates();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().key.to_string(), "default/stuck");
  EXPECT_EQ(pending->front().provider_config, "paradigm-prod");
  EXPECT_EQ(pending->front().request_digest, "sha256:create-stuck");

  auto counts = store_->count_by_condition();
  ASSERT_TRUE(counts);
  std::map<std::string, std::pair<int64_t, int64_t>> seen;
  for (const ConditionCount& c : *counts) {
    seen[c.provider_config + " " + to_string(c.ready) + " " + to_string(c.synced)] = {c.records,
                                                                                      c.unresolved};
  }
  using Pair = std::pair<int64_t, int64_t>;
  EXPECT_EQ(seen["aether-prod True True"], Pair(2, 0));
  EXPECT_EQ(seen["aether-prod True False"], Pair(1, 0));
  EXPECT_EQ(seen["paradigm-prod Unknown False"], Pair(1, 1));
  EXPECT_EQ(seen["paradigm-prod Unknown Unknown"], Pair(1, 0));
  EXPECT_EQ(seen.size(), 4u);

  auto listed = store_->list({.provider_config = "paradigm-prod"});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key.to_string(), "a-b/y");
  EXPECT_EQ((*listed)[1].key.to_string(), "default/stuck");

  auto owner = store_->find_by_remote_id("aether-prod", "r-ready-2");
  ASSERT_TRUE(owner && owner->has_value());
  EXPECT_EQ((*owner)->key.name, "ready-2");
  EXPECT_FALSE(store_->find_by_remote_id("paradigm-prod", "r-ready-2")->has_value());
  EXPECT_FALSE(store_->find_by_remote_id("aether-prod", "r-none")->has_value());
}

// Objects without a record are summarised from their encoded bytes, not
// decoded (KubeRecordView::version_without_record): that summary is read
// again once the object changes, and text that merely mentions the
// record's annotation is no record.
TEST_F(KubeStoreTest, AnObjectWithoutARecordIsSummarisedAgainOnceItHasOne) {
  create_object("plain");
  create_object("mentions");
  start();
  ASSERT_TRUE(raw_patch(
      "mentions",
      {{"metadata", {{"annotations", {{"note", std::string("not ") + kRecordAnnotation}}}}}}));
  ASSERT_TRUE(kubetest::eventually([&] {
    auto got = informer_->get("default", "mentions");
    return got && (*got)["metadata"].contains("annotations");
  }));
  auto none = store_->pending_creates();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(store_->keys()->empty());
  EXPECT_TRUE(store_->invalid_records().empty());

  // Another replica's write, seen through the watch only.
  WorkspaceRecord pending = new_record("default", "plain");
  pending.create.state = CreateState::kPending;
  pending.create.requested_at = test_support::at_millis(5);
  pending.create.request_digest = "sha256:create-plain";
  ASSERT_TRUE(raw_patch("plain", {{"metadata", {{"annotations", record_annotations(pending)}}}}));
  ASSERT_TRUE(kubetest::eventually([&] {
    auto found = store_->pending_creates();
    return found && found->size() == 1u;
  }));
  auto found = store_->pending_creates();
  EXPECT_EQ(found->front().key.to_string(), "default/plain");
  EXPECT_EQ(found->front().request_digest, "sha256:create-plain");
  ASSERT_EQ(store_->keys()->size(), 1u);
  EXPECT_EQ(store_->keys()->front().key.name, "plain");
}

TEST_F(KubeStoreTest, ADamagedRecordIsReportedByNameAndHidesNoOther) {
  create_object("bad");
  create_object("good");
  start();
  ASSERT_TRUE(store_->put(full_record("default", "good")));
  ASSERT_TRUE(raw_patch("bad", {{"metadata", {{"annotations", {{kRecordAnnotation, "{not"}}}}}}));
  ASSERT_TRUE(kubetest::eventually([&] { return !store_->get({"default", "bad"}).is_ok(); }));
  Status damaged = store_->get({"default", "bad"}).status();
  EXPECT_EQ(damaged.code(), Code::kInvalid);
  EXPECT_NE(damaged.message().find("default/bad"), std::string::npos) << damaged.message();

  auto listed = store_->list({});
  ASSERT_TRUE(listed) << listed.status().to_string();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().key.name, "good");
  ASSERT_EQ(store_->invalid_records().size(), 1u);
  EXPECT_NE(store_->invalid_records()[0].find("default/bad"), std::string::npos);
  auto keys = store_->keys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().key.name, "good");
  EXPECT_EQ(store_->invalid_records().size(), 1u);
  EXPECT_EQ(store_->count_by_condition()->size(), 1u);
  // A create over it is refused (it may have been pending); a put repairs it.
  EXPECT_EQ(store_->begin_create(new_record("default", "bad"), Time()).status().code(),
            Code::kInvalid);
  ASSERT_TRUE(store_->put(new_record("default", "bad")));
  EXPECT_EQ(store_->keys()->size(), 2u);
  EXPECT_TRUE(store_->invalid_records().empty());
}

TEST_F(KubeStoreTest, ManyThreadsLoseNoWrite) {
  constexpr int kThreads = 4, kEach = 4;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i)
      create_object("w-" + std::to_string(t) + "-" + std::to_string(i));
  }
  start();
  std::vector<std::thread> threads;
  std::vector<Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach && failures[t].is_ok(); ++i) {
        std::string name = "w-" + std::to_string(t) + "-" + std::to_string(i);
        auto begun = store_->begin_create(new_record("default", name), test_support::at_millis(i));
        if (!begun) failures[t] = begun.status();
        Status done = store_->complete_create({"default", name}, "r-" + name, "{}");
        if (!done) failures[t] = done;
        if (!store_->keys()) failures[t] = Status::error(Code::kInternal, "keys");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& failure : failures) EXPECT_TRUE(failure) << failure.to_string();
  auto listed = store_->list({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kThreads * kEach));
  for (const WorkspaceRecord& record : *listed) {
    EXPECT_EQ(record.remote_id, "r-" + record.key.name);
    EXPECT_EQ(record.create.state, CreateState::kSucceeded);
  }
}

// The first read after the informer has caught up with a write answers the
// written object itself (the same resourceVersion is the same object) and
// drops it, so that read decodes nothing; the next one decodes the cache's.
TEST_F(KubeStoreTest, TheFirstReadAfterTheInformerCaughtUpTakesTheWrittenObject) {
  create_object("ws");
  start();
  const Json object = raw("ws");  // the version the informer has, or soon will
  const std::string version = object["metadata"].value("resourceVersion", "");
  ASSERT_TRUE(kubetest::eventually([&] {
    std::string cached;
    return informer_->cache().resource_version("default/ws", cached) && cached == version;
  }));
  KubeRecordView view({informer_.get()});
  kube::ObjectPtr written = view.remember(object);
  EXPECT_EQ(view.overlay_size(), 1u);
  EXPECT_EQ(view.newest({"default", "ws"}), written);  // handed over: no decode
  EXPECT_EQ(view.overlay_size(), 0u);
  kube::ObjectPtr cached = view.newest({"default", "ws"});
  ASSERT_NE(cached, nullptr);
  EXPECT_NE(cached, written);  // the cache's own copy, decoded
  EXPECT_EQ(*cached, *written);
}

// A watch that lags keeps many writes in the overlay: those remembered once
// it holds 256 are kept encoded, as the cache keeps its objects; trees and
// encoded ones read back the same.
TEST_F(KubeStoreTest, ManyWritesTheWatchHasNotDeliveredReadBackTheSame) {
  constexpr int kObjects = 300;
  for (int i = 0; i < kObjects; ++i) create_object("lag-" + std::to_string(i));
  start();
  informer_->stop();  // nothing more arrives: every write stays in the overlay
  std::vector<WorkspaceRecord> records;
  for (int i = 0; i < kObjects; ++i) {
    records.push_back(full_record("default", "lag-" + std::to_string(i)));
    ASSERT_TRUE(store_->put(records.back()));
  }
  EXPECT_EQ(store_->unconfirmed_writes(), static_cast<std::size_t>(kObjects));
  for (const WorkspaceRecord& record : records) {
    auto got = store_->get(record.key);
    ASSERT_TRUE(got && got->has_value()) << record.key.to_string();
    EXPECT_EQ(**got, record);
  }
  auto listed = store_->list({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kObjects));
  auto owner = store_->find_by_remote_id(records[7].provider_config, *records[7].remote_id);
  ASSERT_TRUE(owner && owner->has_value());
  EXPECT_EQ((*owner)->key, records[7].key);
}

// Each write's answer is kept until the informer delivers that version
// (kube_record_view.h); 10,000 Workspaces written once each during a
// convergence must not each keep a whole object because nobody read them
// again. Each write here waits for the informer (read from the API and the
// cache, never through the store, which would drop the entry on reading).
TEST_F(KubeStoreTest, WrittenObjectsNeverReadAgainLeaveOnceTheInformerHasThem) {
  constexpr int kObjects = 80;
  for (int i = 0; i < kObjects; ++i) create_object("ws-" + std::to_string(i));
  start();
  for (int i = 0; i < kObjects; ++i) {
    const std::string name = "ws-" + std::to_string(i);
    ASSERT_TRUE(store_->put(new_record("default", name)));
    const std::string version = raw(name)["metadata"].value("resourceVersion", "");
    ASSERT_TRUE(kubetest::eventually([&] {
      std::string cached;
      return informer_->cache().resource_version("default/" + name, cached) && cached == version;
    }));
  }
  // Without sweeping, all 80 would stay; a sweep runs once 32 are kept.
  EXPECT_LT(store_->unconfirmed_writes(), 32u);
  // What the store answers is unchanged.
  auto keys = store_->keys();
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), static_cast<std::size_t>(kObjects));
  EXPECT_EQ(store_->unconfirmed_writes(), 0u);
}

}  // namespace
}  // namespace wsop::state::kubestore_test
