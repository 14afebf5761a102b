// A record kept on its Workspace object (controller/state/kube_record.h):
// written as annotations and status, read back equal; damaged annotations
// refused with the object and field named.
#include "controller/state/kube_record.h"

#include <gtest/gtest.h>

#include "tests/controller/state/state_test_support.h"

namespace wsop::state {
namespace {

using nlohmann::json;
using test_support::full_record;
using test_support::new_record;

// The object as the API server would hold it after the writes.
json object_with(const WorkspaceRecord& record, std::int64_t generation) {
  json annotations = record_annotations(record);
  annotations["team.example.com/owner"] = "someone";  // a user's own annotation
  annotations.erase(model::kAnnotationExternalName);
  if (record.remote_id) annotations[model::kAnnotationExternalName] = *record.remote_id;
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "Workspace"},
          {"metadata",
           {{"name", record.key.name},
            {"namespace", record.key.ns},
            {"generation", generation},
            {"annotations", annotations}}},
          {"spec", json::object()},
          {"status", record_status(record, generation)}};
}

TEST(KubeRecord, EveryFieldRoundTripsThroughAnnotationsAndStatus) {
  for (WorkspaceRecord record : {full_record("team-a", "ml"), new_record("default", "bare")}) {
    SCOPED_TRACE(record.key.to_string());
    auto read = record_of(object_with(record, 7));
    ASSERT_TRUE(read.is_ok()) << read.status().to_string();
    ASSERT_TRUE(read->has_value());
    EXPECT_EQ(**read, record);
  }
}

TEST(KubeRecord, StatusShowsConditionsGenerationAndTheProvidersFacts) {
  WorkspaceRecord record = full_record("team-a", "ml");
  record.observed_json =
      R"({"id":"m-1","phase":"ready","status":"running","atProvider":{"machineId":"m-1","privateIp":"10.0.0.4"}})";
  json status = record_status(record, 4);
  EXPECT_EQ(status["observedGeneration"], 4);
  ASSERT_EQ(status["conditions"].size(), 2u);
  EXPECT_EQ(status["conditions"][0]["type"], "Ready");
  EXPECT_EQ(status["conditions"][0]["status"], "True");
  EXPECT_EQ(status["conditions"][0]["reason"], "Available");
  EXPECT_EQ(status["conditions"][0]["observedGeneration"], 4);
  EXPECT_EQ(status["conditions"][1]["type"], "Synced");
  EXPECT_EQ(status["conditions"][1]["status"], "False");
  EXPECT_EQ(status["atProvider"]["remoteId"], "remote-team-a-ml");
  EXPECT_EQ(status["atProvider"]["phase"], "ready");
  EXPECT_EQ(status["atProvider"]["aether"]["machineId"], "m-1");
  EXPECT_EQ(status["atProvider"]["aether"]["privateIp"], "10.0.0.4");
  EXPECT_EQ(status["atProvider"]["aether"]["state"], "running");
  EXPECT_EQ(status["remoteId"], "remote-team-a-ml");
}

// An observation that changes (a provisioning workspace polled) changes the
// status alone: one write, not a record write besides.
TEST(KubeRecord, TheObservationLivesInTheStatusAlone) {
  WorkspaceRecord record = full_record("team-a", "ml");
  WorkspaceRecord later = record;
  later.observed_json = R"({"id":"m-1","phase":"Provisioning","status":"starting"})";
  ASSERT_NE(later.observed_json, record.observed_json);
  EXPECT_EQ(record_annotations(later), record_annotations(record));
  EXPECT_NE(record_status(later, 1), record_status(record, 1));
  EXPECT_EQ(record_status(later, 1)["observation"], later.observed_json);
  EXPECT_FALSE(record_status(new_record("default", "bare"), 1).contains("observation"));
}

// Objects written when the observation was part of the record annotation.
TEST(KubeRecord, AnObservationInTheAnnotationStillReads) {
  WorkspaceRecord record = full_record("team-a", "ml");
  json object = object_with(record, 3);
  json annotation =
      json::parse(object["metadata"]["annotations"][kRecordAnnotation].get<std::string>());
  annotation["observed"] = record.observed_json;
  object["metadata"]["annotations"][kRecordAnnotation] = annotation.dump();
  object["status"].erase("observation");
  auto read = record_of(object);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, record);
  // The status's, once written there, is the newer one.
  object["status"]["observation"] = R"({"id":"newer"})";
  EXPECT_EQ((*record_of(object))->observed_json, R"({"id":"newer"})");
}

TEST(KubeRecord, AnExternalNameAloneIsARequestToAdoptNotARecord) {
  json object = {{"metadata",
                  {{"name", "x"},
                   {"namespace", "default"},
                   {"annotations", {{model::kAnnotationExternalName, "42"}}}}}};
  auto read = record_of(object);
  ASSERT_TRUE(read.is_ok());
  EXPECT_FALSE(read->has_value());
}

TEST(KubeRecord, AnExternalNameSetOnAPendingRecordIsARequestNotARemoteId) {
  WorkspaceRecord pending = new_record("default", "p");
  pending.create.state = CreateState::kPending;
  json object = object_with(pending, 1);
  // `kubectl annotate` by a user resolving CreatePendingUnresolved.
  object["metadata"]["annotations"][model::kAnnotationExternalName] = "found-by-hand";
  auto read = record_of(object);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_TRUE(read->has_value());
  EXPECT_FALSE((*read)->remote_id.has_value());
  EXPECT_EQ((*read)->create.state, CreateState::kPending);
}

TEST(KubeRecord, RemovingDropsBothAnnotationsAndAnUnsetRemoteIdClearsExternalName) {
  json removed = removed_record_annotations();
  EXPECT_TRUE(removed[kRecordAnnotation].is_null());
  EXPECT_TRUE(removed[model::kAnnotationExternalName].is_null());
  WorkspaceRecord pending = new_record("default", "p");
  pending.create.state = CreateState::kPending;
  EXPECT_TRUE(record_annotations(pending)[model::kAnnotationExternalName].is_null());
}

TEST(KubeRecord, ADamagedRecordIsRefusedNamingTheObjectAndField) {
  WorkspaceRecord record = full_record("team-a", "ml");
  json object = object_with(record, 1);
  json inner = json::parse(object["metadata"]["annotations"][kRecordAnnotation].get<std::string>());
  inner["origin"] = "stolen";
  object["metadata"]["annotations"][kRecordAnnotation] = inner.dump();
  auto read = record_of(object);
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().code(), Code::kInvalid);
  EXPECT_NE(read.status().message().find("Workspace team-a/ml"), std::string::npos)
      << read.status().message();
  EXPECT_NE(read.status().message().find("\"origin\""), std::string::npos)
      << read.status().message();

  object["metadata"]["annotations"][kRecordAnnotation] = "{not json";
  EXPECT_EQ(record_of(object).status().code(), Code::kInvalid);
  inner = json::parse(record_annotations(record)[kRecordAnnotation].get<std::string>());
  inner.erase("create");
  object["metadata"]["annotations"][kRecordAnnotation] = inner.dump();
  EXPECT_EQ(record_of(object).status().code(), Code::kInvalid);
}

}  // namespace
}  // namespace wsop::state
