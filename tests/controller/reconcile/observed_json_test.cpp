// The observation the state store keeps (controller/reconcile/observed_json.h):
// a provider's own fields (RemoteWorkspace::vendor_fields) sit beside the
// neutral ones, unread by the core, in the one flat object records have
// always had, so an observation written before that part was opaque reads
// back equal, gives the provider the same values and renders the same
// status (`wsctl get -o json`, the Workspace object's status).
#include "controller/reconcile/observed_json.h"

#include <gtest/gtest.h>

#include "controller/reconcile/status_json.h"
#include "controller/state/kube_record.h"
#include "providers/aether/aether_observation.h"
#include "providers/paradigm/paradigm_observation.h"

namespace wsop::reconcile {
namespace {

using nlohmann::json;
using providers::Phase;
using providers::RemoteWorkspace;

// Observations as the store held them before the provider's part was
// opaque: compact, keys sorted (nlohmann::json's dump), one per provider.
constexpr const char* kParadigmObserved =
    R"({"atProvider":{"filesCount":3,"usedStorage":1.5},"companyId":7,)"
    R"("createdAt":"2026-01-02T03:04:05.000Z","description":"d",)"
    R"("documentUploadMethod":"synced","id":"42","name":"Team A","phase":"Ready",)"
    R"("status":"active"})";
constexpr const char* kAetherObserved =
    R"({"atProvider":{"machineId":"m-1","privateIp":"10.0.0.4"},"hardware":{"cpus":2,)"
    R"("gpuKind":null,"memoryMb":2048},"id":"9b0c","keepActive":false,"phase":"Stopped",)"
    R"("projectId":"00000000-0000-4000-8000-000000000001","status":"stopped"})";
constexpr const char* kCadenyaObserved =
    R"({"externalId":"team-a/ml","id":"c-1","labels":{"team":"a"},"name":"ML",)"
    R"("phase":"Ready","status":"STATUS_ENABLED"})";

state::WorkspaceRecord record_with(const std::string& observed) {
  state::WorkspaceRecord r;
  r.key = {"team-a", "ml"};
  r.provider_config = "prod";
  r.remote_id = "42";
  r.observed_json = observed;
  return r;
}

TEST(ObservedJson, AnObservationInTodaysShapeReadsBackEqualAndRendersTheSame) {
  for (const char* observed : {kParadigmObserved, kAetherObserved, kCadenyaObserved}) {
    SCOPED_TRACE(observed);
    auto remote = remote_from_json(observed);
    ASSERT_TRUE(remote.has_value());
    std::string written = to_json(*remote).dump();
    EXPECT_EQ(written, observed);
    // What people see is built from the stored text: the same text, the
    // same status, byte for byte.
    EXPECT_EQ(workspace_status_json(record_with(written)).dump(),
              workspace_status_json(record_with(observed)).dump());
    EXPECT_EQ(state::record_status(record_with(written), 3).dump(),
              state::record_status(record_with(observed), 3).dump());
  }
}

TEST(ObservedJson, TheProvidersOwnFieldsReachItsTypedViewUnchanged) {
  auto paradigm = remote_from_json(kParadigmObserved);
  ASSERT_TRUE(paradigm.has_value());
  EXPECT_EQ(paradigm->name, "Team A");
  EXPECT_EQ(paradigm->at_provider["filesCount"], 3);
  EXPECT_EQ(providers::paradigm::company_of(*paradigm), 7);
  EXPECT_EQ(providers::paradigm::upload_method_of(*paradigm), "synced");

  auto aether = remote_from_json(kAetherObserved);
  ASSERT_TRUE(aether.has_value());
  EXPECT_EQ(aether->phase, Phase::kStopped);
  EXPECT_EQ(providers::aether::project_of(*aether), "00000000-0000-4000-8000-000000000001");
  // false is a value, not an absence.
  EXPECT_EQ(providers::aether::keep_active_of(*aether), false);

  auto cadenya = remote_from_json(kCadenyaObserved);
  ASSERT_TRUE(cadenya.has_value());
  EXPECT_TRUE(cadenya->vendor_fields.is_null());
  EXPECT_FALSE(providers::paradigm::company_of(*cadenya));
}

TEST(ObservedJson, FieldsWrittenThroughTheTypedViewAreStoredUnderTheirOwnKeys) {
  RemoteWorkspace ws;
  ws.id = "42";
  ws.status = "active";
  providers::paradigm::set_company(ws, 7);
  providers::paradigm::set_upload_method(ws, std::string("manual"));
  json stored = to_json(ws);
  EXPECT_EQ(stored["companyId"], 7);
  EXPECT_EQ(stored["documentUploadMethod"], "manual");
  EXPECT_EQ(stored.size(), 5u) << stored.dump();  // id, phase, status and the two

  // Unset again: gone from the object, and no empty object left behind.
  providers::paradigm::set_company(ws, std::nullopt);
  providers::paradigm::set_upload_method(ws, std::nullopt);
  EXPECT_TRUE(ws.vendor_fields.is_null());
  EXPECT_FALSE(to_json(ws).contains("companyId"));
}

// The core reads none of it, so a key it does not know (a provider added
// later, or a field a newer version wrote) survives a read and a write.
TEST(ObservedJson, AKeyTheCoreDoesNotKnowSurvivesARoundTrip) {
  const std::string observed = R"({"id":"x","phase":"Ready","shard":{"zone":"b"},"status":"ok"})";
  auto remote = remote_from_json(observed);
  ASSERT_TRUE(remote.has_value());
  EXPECT_EQ(remote->vendor_fields["shard"]["zone"], "b");
  EXPECT_EQ(to_json(*remote).dump(), observed);
}

// A provider's key that names a neutral field would read back as that
// field: it is never written, and the neutral field stands.
TEST(ObservedJson, AProviderKeyNeverOverridesANeutralField) {
  RemoteWorkspace ws;
  ws.id = "42";
  ws.vendor_fields = {{"name", "not the name"}, {"id", "other"}, {"region", "eu"}};
  json stored = to_json(ws);
  EXPECT_FALSE(stored.contains("name")) << stored.dump();
  EXPECT_EQ(stored["id"], "42");
  EXPECT_EQ(stored["region"], "eu");
  ws.name = "Real";
  EXPECT_EQ(to_json(ws)["name"], "Real");
}

// What a read left out is kept from the last observation only where the
// provider says so: immutable fields, never the mutable keep_active.
TEST(ObservedJson, EachProviderKeepsItsOwnUnreportedImmutables) {
  auto last = remote_from_json(kParadigmObserved);
  ASSERT_TRUE(last.has_value());
  RemoteWorkspace fresh;
  fresh.id = last->id;
  providers::paradigm::keep_unreported_fields(*last, fresh);
  EXPECT_EQ(providers::paradigm::company_of(fresh), 7);
  EXPECT_EQ(providers::paradigm::upload_method_of(fresh), "synced");
  RemoteWorkspace moved;
  providers::paradigm::set_company(moved, 8);
  providers::paradigm::keep_unreported_fields(*last, moved);
  EXPECT_EQ(providers::paradigm::company_of(moved), 8);  // what the read says stands

  auto aether_last = remote_from_json(kAetherObserved);
  ASSERT_TRUE(aether_last.has_value());
  RemoteWorkspace aether_fresh;
  providers::aether::keep_unreported_fields(*aether_last, aether_fresh);
  EXPECT_EQ(providers::aether::project_of(aether_fresh), "00000000-0000-4000-8000-000000000001");
  EXPECT_FALSE(providers::aether::keep_active_of(aether_fresh));
}

}  // namespace
}  // namespace wsop::reconcile
