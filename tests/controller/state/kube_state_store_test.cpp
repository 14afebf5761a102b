// KubeStateStore's writes (controller/state/kube_state_store.h) against the
// Kubernetes API double with a real client and informer: the record round
// trip; the create journal confirmed on the server before begin_create
// returns; its refusals; the resourceVersion precondition keeping a user's
// concurrent label and re-checking the journal's rule; the finalizer added
// and removed so a deleted object goes; status written only when it
// changed (counted on the double); move; put_all in order.
#include "tests/controller/state/kube_state_support.h"

namespace wsop::state::kubestore_test {
namespace {

using test_support::full_record;
using test_support::new_record;

TEST_F(KubeStoreTest, RoundTripsEveryFieldThroughTheObject) {
  create_object("ml");
  create_object("bare");
  start();
  WorkspaceRecord full = full_record("default", "ml");
  WorkspaceRecord bare = new_record("default", "bare");
  ASSERT_TRUE(store_->put(full));
  ASSERT_TRUE(store_->put(bare));
  for (const WorkspaceRecord& record : {full, bare}) {
    auto got = store_->get(record.key);
    ASSERT_TRUE(got) << got.status().to_string();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, record);
    // What the API holds (not only the store's overlay) reads back the same.
    Outcome<std::optional<WorkspaceRecord>> on_server = record_of(raw(record.key.name));
    ASSERT_TRUE(on_server && on_server->has_value());
    EXPECT_EQ(**on_server, record);
  }
  Json object = raw("ml");
  EXPECT_EQ(object["metadata"]["annotations"][model::kAnnotationExternalName], *full.remote_id);
  EXPECT_EQ(object["status"]["atProvider"]["remoteId"], *full.remote_id);
  EXPECT_TRUE(has_finalizer(object, kWorkspaceFinalizer));
  EXPECT_FALSE(raw("bare")["metadata"]["annotations"].contains(model::kAnnotationExternalName));
  ASSERT_TRUE(informer_caught_up(full.key));
  EXPECT_EQ(**store_->get(full.key), full);
}

TEST_F(KubeStoreTest, BeginCreateIsOnTheServerWithTheFinalizerBeforeItReturns) {
  create_object("ws");
  start();
  // Other finalizers stay; ours is added once.
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"finalizers", {"example.com/keep"}}}}}));
  WorkspaceRecord record = new_record("default", "ws");
  auto first = store_->begin_create(record, test_support::at_millis(1'700'000'000'123));
  ASSERT_TRUE(first) << first.status().to_string();
  // Nothing but the API's own answer: a GET straight to the double.
  Json object = raw("ws");
  Outcome<std::optional<WorkspaceRecord>> stored = record_of(object);
  ASSERT_TRUE(stored && stored->has_value()) << stored.status().to_string();
  EXPECT_EQ((*stored)->create.state, CreateState::kPending);
  EXPECT_EQ((*stored)->create.pending_attempts, 1);
  EXPECT_EQ((*stored)->create.request_digest, record.create.request_digest);
  EXPECT_EQ(**stored, *first);
  EXPECT_EQ(object["metadata"]["finalizers"], Json({"example.com/keep", kWorkspaceFinalizer}));

  auto second = store_->begin_create(record, test_support::at_millis(1'700'000'009'000));
  ASSERT_TRUE(second) << second.status().to_string();
  EXPECT_EQ(second->create.pending_attempts, 2);
  EXPECT_EQ(raw("ws")["metadata"]["finalizers"].size(), 2u);
}

TEST_F(KubeStoreTest, BeginCreateRefusesAnObjectThatNamesARemoteAndWritesNothing) {
  create_object("owned");
  create_object("adopt");
  start();
  ASSERT_TRUE(store_->put(full_record("default", "owned")));
  // A user's external-name without a record asks for an adoption, not a create.
  ASSERT_TRUE(raw_patch(
      "adopt", {{"metadata", {{"annotations", {{model::kAnnotationExternalName, "r-9"}}}}}}));
  for (const char* name : {"owned", "adopt"}) {
    std::string before = kube::object_resource_version(raw(name));
    auto begun = store_->begin_create(new_record("default", name), state::Time());
    EXPECT_EQ(begun.status().code(), Code::kConflict) << name;
    EXPECT_EQ(kube::object_resource_version(raw(name)), before) << name;
  }
}

TEST_F(KubeStoreTest, CompleteCreateRecordsTheRemoteIdOnTheObject) {
  create_object("ws");
  create_object("plain");
  start();
  ASSERT_TRUE(store_->begin_create(new_record("default", "ws"), test_support::at_millis(5)));
  ASSERT_TRUE(store_->complete_create({"default", "ws"}, "r-1", R"({"phase":"Ready"})"));
  auto got = store_->get({"default", "ws"});
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->remote_id, "r-1");
  EXPECT_EQ((*got)->create.state, CreateState::kSucceeded);
  EXPECT_EQ((*got)->create.pending_attempts, 0);
  Json object = raw("ws");
  EXPECT_EQ(object["metadata"]["annotations"][model::kAnnotationExternalName], "r-1");
  // The create's answer is the first observation, which lives in the
  // status; the conditions wait for the reconciler's next put (the create
  // settled), or come in the same write when complete_create settles it.
  EXPECT_EQ(object["status"]["observation"], R"({"phase":"Ready"})") << object.dump();
  EXPECT_EQ(object["status"]["conditions"][0]["status"], "Unknown");
  WorkspaceRecord settled = **got;
  settled.conditions.ready = {model::ConditionStatus::kTrue, "Available", "",
                              test_support::at_millis(6)};
  ASSERT_TRUE(store_->put(settled));
  object = raw("ws");
  EXPECT_EQ(object["status"]["atProvider"]["remoteId"], "r-1");
  EXPECT_EQ(object["status"]["atProvider"]["phase"], "Ready");
  EXPECT_EQ(object["status"]["conditions"][0]["type"], "Ready");
  EXPECT_EQ(object["status"]["conditions"][0]["status"], "True");
  // Not pending any more; no record at all.
  EXPECT_EQ(store_->complete_create({"default", "ws"}, "r-1", "{}").code(), Code::kConflict);
  EXPECT_EQ(store_->complete_create({"default", "plain"}, "r-2", "{}").code(), Code::kNotFound);
}

TEST_F(KubeStoreTest, AUserLabelWrittenBetweenReadAndWriteIsKeptAndTheWriteLands) {
  create_object("ws");
  start();
  WorkspaceRecord record = full_record("default", "ws");
  ASSERT_TRUE(store_->put(record));
  // The informer stops: the store's copy stays at its own last write.
  informer_->stop();
  ASSERT_TRUE(raw_patch(
      "ws", {{"metadata",
              {{"labels", {{"team", "blue"}}}, {"annotations", {{"example.com/note", "mine"}}}}}}));
  ASSERT_TRUE(kube_.reset_stats());
  record.conditions.synced.message = "changed";
  record.applied_generation = 43;
  ASSERT_TRUE(store_->put(record));
  auto stats = kube_.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ((*stats)["errorCodes"].value("409", 0), 1) << stats->dump();
  EXPECT_EQ(count("get workspaces"), 1);  // the fresh read after the 409
  Json object = raw("ws");
  EXPECT_EQ(object["metadata"]["labels"]["team"], "blue");
  EXPECT_EQ(object["metadata"]["annotations"]["example.com/note"], "mine");
  EXPECT_EQ(**record_of(object), record);
}

TEST_F(KubeStoreTest, AConflictReChecksTheJournalRuleOnTheFreshObject) {
  create_object("ws");
  start();
  ASSERT_TRUE(store_->put(new_record("default", "ws")));
  informer_->stop();
  // Meanwhile a user names the remote: the create must not go on.
  ASSERT_TRUE(raw_patch(
      "ws", {{"metadata", {{"annotations", {{model::kAnnotationExternalName, "r-7"}}}}}}));
  auto begun = store_->begin_create(new_record("default", "ws"), test_support::at_millis(1));
  EXPECT_EQ(begun.status().code(), Code::kConflict) << begun.status().to_string();
  auto stored = record_of(raw("ws"));
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->create.state, CreateState::kNone);
  // The user's external-name stays a request (the reconciler adopts r-7);
  // it is not the record's remote id (controller/state/kube_record.h).
  EXPECT_FALSE((*stored)->remote_id.has_value());
  EXPECT_EQ(raw("ws")["metadata"]["annotations"][model::kAnnotationExternalName], "r-7");
}

TEST_F(KubeStoreTest, GivesUpAfterTheConfiguredConflicts) {
  create_object("ws");
  KubeStateStoreOptions options;
  options.max_conflict_retries = 2;
  start(options);
  ASSERT_TRUE(kube_.fail({{"count", 10}, {"code", 409}, {"verbs", {"patch"}}}));
  Status put = store_->put(new_record("default", "ws"));
  EXPECT_EQ(put.code(), Code::kConflict) << put.to_string();
  EXPECT_EQ(count("patch workspaces"), 3);  // the first and two retries
}

TEST_F(KubeStoreTest, RemoveLetsAnObjectBeingDeletedGo) {
  create_object("ws");
  start();
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"finalizers", {"example.com/keep"}}}}}));
  ASSERT_TRUE(store_->put(full_record("default", "ws")));
  ASSERT_TRUE(client_->remove(kWorkspaceResource, "default", "ws"));  // as kubectl delete
  Json terminating = raw("ws");
  EXPECT_TRUE(terminating["metadata"].contains("deletionTimestamp"));
  ASSERT_TRUE(store_->remove({"default", "ws"}));
  Json object = raw("ws");
  EXPECT_EQ(object["metadata"]["finalizers"], Json({"example.com/keep"}));
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kRecordAnnotation));
  EXPECT_FALSE(object["metadata"]["annotations"].contains(model::kAnnotationExternalName));
  auto got = store_->get({"default", "ws"});
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(store_->remove({"default", "ws"}).code(), Code::kNotFound);
  // The last finalizer gone, the object goes.
  ASSERT_TRUE(raw_patch("ws", {{"metadata", {{"finalizers", nullptr}}}}));
  EXPECT_TRUE(kube::is_not_found(client_->get(kWorkspaceResource, "default", "ws").status()));
  EXPECT_TRUE(kubetest::eventually([&] { return store_->object({"default", "ws"}) == nullptr; }));
}

TEST_F(KubeStoreTest, RemoveOfOurOnlyFinalizerDeletesTheObject) {
  create_object("ws");
  start();
  ASSERT_TRUE(store_->put(full_record("default", "ws")));
  ASSERT_TRUE(client_->remove(kWorkspaceResource, "default", "ws"));
  ASSERT_TRUE(store_->remove({"default", "ws"}));
  EXPECT_TRUE(kube::is_not_found(client_->get(kWorkspaceResource, "default", "ws").status()));
  EXPECT_EQ(store_->remove({"default", "absent"}).code(), Code::kNotFound);
}

TEST_F(KubeStoreTest, StatusIsWrittenOnlyWhenItChanged) {
  create_object("aether");
  create_object("paradigm");
  start();
  WorkspaceRecord aether = full_record("default", "aether");
  // Paradigm's facts are not in the CRD's schema: the server prunes them,
  // and an unchanged record must still write nothing the second time.
  WorkspaceRecord paradigm = full_record("default", "paradigm");
  paradigm.provider_type = model::ProviderType("paradigm");
  paradigm.provider_config = "paradigm-prod";
  paradigm.observed_json = R"({"status":"ACTIVE","phase":"Ready"})";
  ASSERT_TRUE(store_->put_all({aether, paradigm}));
  ASSERT_TRUE(kube_.reset_stats());
  ASSERT_TRUE(store_->put_all({aether, paradigm}));  // a resync: nothing changed
  EXPECT_EQ(count("patch workspaces/status"), 0);
  EXPECT_EQ(count("patch workspaces"), 0);
  EXPECT_EQ(count("get workspaces"), 0);

  model::Conditions changed = aether.conditions;
  changed.synced = {model::ConditionStatus::kTrue, "ReconcileSuccess", "",
                    test_support::at_millis(9)};
  ASSERT_TRUE(store_->set_conditions(aether.key, changed));
  EXPECT_EQ(count("patch workspaces/status"), 1);
  ASSERT_TRUE(store_->set_conditions(aether.key, changed));
  EXPECT_EQ(count("patch workspaces/status"), 1);
  EXPECT_EQ(raw("aether")["status"]["conditions"][1]["reason"], "ReconcileSuccess");
  EXPECT_EQ((*store_->get(aether.key))->conditions, changed);
  EXPECT_EQ(store_->set_conditions({"default", "absent"}, changed).code(), Code::kNotFound);
}

TEST_F(KubeStoreTest, AnObservationThatChangesCostsOneStatusWrite) {
  create_object("aether");
  start();
  WorkspaceRecord record = full_record("default", "aether");
  ASSERT_TRUE(store_->put(record));
  ASSERT_TRUE(kube_.reset_stats());
  record.observed_json = R"({"id":"m-1","phase":"Provisioning","status":"starting"})";
  ASSERT_TRUE(store_->put(record));  // a poll saw the provider move on
  EXPECT_EQ(count("patch workspaces/status"), 1);
  EXPECT_EQ(count("patch workspaces"), 0);
  EXPECT_EQ(raw("aether")["status"]["observation"], record.observed_json);
  EXPECT_EQ((*store_->get(record.key))->observed_json, record.observed_json);
}

TEST_F(KubeStoreTest, StatusReportsTheReconciledGeneration) {
  create_object("ws");
  KubeStateStoreOptions options;
  options.generation_of = [](const model::WorkspaceKey&) { return std::optional<int64_t>(7); };
  start(options);
  ASSERT_TRUE(store_->put(new_record("default", "ws")));
  Json status = raw("ws")["status"];
  EXPECT_EQ(status["observedGeneration"], 7);
  EXPECT_EQ(status["conditions"][0]["observedGeneration"], 7);
}

TEST_F(KubeStoreTest, MoveHandsTheRemoteToTheOtherObject) {
  create_object("old");
  create_object("new");
  start();
  WorkspaceRecord from = full_record("default", "old");
  ASSERT_TRUE(store_->put(from));
  WorkspaceRecord to = from;
  to.key = {"default", "new"};
  // Another object cannot take the remote while "old" holds it...
  EXPECT_EQ(store_->put(to).code(), Code::kConflict);
  // ...a move can.
  ASSERT_TRUE(store_->move(from.key, to));
  EXPECT_FALSE(store_->get(from.key)->has_value());
  EXPECT_EQ(**store_->get(to.key), to);
  auto owner = store_->find_by_remote_id(from.provider_config, *from.remote_id);
  ASSERT_TRUE(owner && owner->has_value());
  EXPECT_EQ((*owner)->key, to.key);
  EXPECT_FALSE(has_finalizer(raw("old"), kWorkspaceFinalizer));
  EXPECT_EQ(store_->move(from.key, to).code(), Code::kNotFound);
}

TEST_F(KubeStoreTest, PutAllWritesInOrderAndStopsAtTheFirstFailure) {
  create_object("a");
  create_object("c");
  start();
  Status put = store_->put_all(
      {new_record("default", "a"), new_record("default", "missing"), new_record("default", "c")});
  EXPECT_EQ(put.code(), Code::kNotFound) << put.to_string();
  EXPECT_TRUE(store_->get({"default", "a"})->has_value());
  EXPECT_FALSE(store_->get({"default", "c"})->has_value());
}

}  // namespace
}  // namespace wsop::state::kubestore_test
