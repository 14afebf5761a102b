// Objects from the Kubernetes API through the file mode's loader
// (controller/source/kube_objects.h): the same fields, defaults and rules;
// an invalid object set aside alone with its message, the others kept.
#include "controller/source/kube_objects.h"

#include <gtest/gtest.h>

namespace wsop::source {
namespace {

using nlohmann::json;

// As the API server returns them: server fields, status, kubectl's copy.
json provider_config(const std::string& name, const std::string& type, json extra_spec = {}) {
  json spec = {{"type", type}, {"credentials", {{"env", "PARADIGM_TOKEN"}}}};
  if (type == "paradigm") spec["paradigm"] = {{"companyId", 1}};
  if (extra_spec.is_object()) spec.update(extra_spec);
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "ProviderConfig"},
          {"metadata",
           {{"name", name},
            {"uid", "uid-" + name},
            {"resourceVersion", "10"},
            {"generation", 1},
            {"managedFields", json::array({{{"manager", "kubectl"}}})},
            {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{...}"}}}}},
          {"spec", spec},
          {"status", {{"conditions", json::array()}}}};
}

json workspace(const std::string& ns, const std::string& name, json spec,
               const std::string& resource_version = "20") {
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "Workspace"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"uid", "uid-" + name},
            {"resourceVersion", resource_version},
            {"generation", 3},
            {"creationTimestamp", "2026-12-06T10:00:00Z"},
            {"labels", {{"team", "legal"}}}}},
          {"spec", spec},
          {"status", {{"observedGeneration", 2}}}};
}

json paradigm_spec(const std::string& config = "paradigm-prod") {
  return {{"providerConfigRef", {{"name", config}}},
          {"displayName", "Legal documents"},
          {"paradigm", {{"companyId", 1}, {"documentUploadMethod", "manual"}}}};
}

const InvalidObject* find_invalid(const ObjectSnapshot& snapshot, const std::string& name) {
  for (const auto& invalid : snapshot.invalid) {
    if (invalid.ref.name == name) return &invalid;
  }
  return nullptr;
}

TEST(KubeObjects, ValidObjectsLoadAsTheFileModeLoadsThem) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  ASSERT_TRUE(objects.upsert(workspace("team-legal", "legal-docs", paradigm_spec())).is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  EXPECT_TRUE(snapshot.invalid.empty()) << snapshot.invalid[0].message;
  ASSERT_EQ(snapshot.set.workspaces.size(), 1u);
  ASSERT_EQ(snapshot.set.provider_configs.size(), 1u);
  const model::Workspace& ws = snapshot.set.workspaces[0];
  EXPECT_EQ(ws.key().to_string(), "team-legal/legal-docs");
  EXPECT_EQ(ws.labels.at("team"), "legal");
  EXPECT_EQ(ws.display_name, "Legal documents");
  EXPECT_EQ(ws.deletion_policy, model::DeletionPolicy::kDelete);  // the file mode's default
  EXPECT_EQ(snapshot.set.provider_configs[0].base_url,
            model::default_base_url(model::ProviderType::kParadigm));
  const ObjectMeta& meta = snapshot.meta.at({ObjectKind::kWorkspace, "team-legal", "legal-docs"});
  EXPECT_EQ(meta.generation, 3);
  EXPECT_EQ(meta.uid, "uid-legal-docs");
  EXPECT_FALSE(meta.deleting);
}

TEST(KubeObjects, AnInvalidObjectIsSetAsideAloneWithItsFieldPath) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  json bad = paradigm_spec();
  bad["hardware"] = {{"cpus", "many"}};
  bad["colour"] = "blue";
  ASSERT_TRUE(objects.upsert(workspace("team-legal", "broken", bad)).is_ok());
  ASSERT_TRUE(objects.upsert(workspace("team-legal", "fine", paradigm_spec())).is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  ASSERT_EQ(snapshot.set.workspaces.size(), 1u);
  EXPECT_EQ(snapshot.set.workspaces[0].name, "fine");
  const InvalidObject* broken = find_invalid(snapshot, "broken");
  ASSERT_NE(broken, nullptr);
  EXPECT_NE(broken->message.find("spec.colour: unknown field"), std::string::npos)
      << broken->message;
  EXPECT_NE(broken->message.find("spec.hardware"), std::string::npos) << broken->message;
  EXPECT_EQ(broken->message.find("Workspace/"), std::string::npos) << "no positions";
  EXPECT_EQ(broken->meta.generation, 3);
}

TEST(KubeObjects, RulesAcrossObjectsSetAsideTheObjectThatBreaksThem) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("cadenya-prod", "cadenya")).is_ok());
  // A Paradigm block on a Cadenya ProviderConfig; a reference to nothing.
  ASSERT_TRUE(objects.upsert(workspace("a", "mismatched", paradigm_spec("cadenya-prod"))).is_ok());
  ASSERT_TRUE(objects.upsert(workspace("a", "dangling", paradigm_spec("nowhere"))).is_ok());
  ASSERT_TRUE(
      objects.upsert(workspace("a", "ok", {{"providerConfigRef", {{"name", "cadenya-prod"}}}}))
          .is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  ASSERT_EQ(snapshot.set.workspaces.size(), 1u);
  EXPECT_EQ(snapshot.set.workspaces[0].name, "ok");
  ASSERT_NE(find_invalid(snapshot, "mismatched"), nullptr);
  EXPECT_NE(find_invalid(snapshot, "mismatched")->message.find("spec.paradigm"), std::string::npos)
      << find_invalid(snapshot, "mismatched")->message;
  ASSERT_NE(find_invalid(snapshot, "dangling"), nullptr);
  EXPECT_NE(find_invalid(snapshot, "dangling")->message.find("nowhere"), std::string::npos)
      << find_invalid(snapshot, "dangling")->message;
}

// A Workspace of an invalid ProviderConfig is not called dangling: the
// ProviderConfig's own status tells what is wrong with it.
TEST(KubeObjects, AnInvalidProviderConfigIsSetAsideButNotCalledMissing) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm", {{"baseUrl", "ftp://x"}}))
                  .is_ok());
  ASSERT_TRUE(objects.upsert(workspace("a", "ws", paradigm_spec())).is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  ASSERT_NE(find_invalid(snapshot, "paradigm-prod"), nullptr);
  EXPECT_NE(find_invalid(snapshot, "paradigm-prod")->message.find("spec.baseUrl"),
            std::string::npos)
      << find_invalid(snapshot, "paradigm-prod")->message;
  EXPECT_EQ(find_invalid(snapshot, "ws"), nullptr);
  EXPECT_TRUE(snapshot.set.provider_configs.empty());
}

TEST(KubeObjects, ANewResourceVersionIsDecodedAgainAndRemoveForgets) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  ASSERT_TRUE(objects.upsert(workspace("a", "ws", paradigm_spec(), "20")).is_ok());
  json changed = paradigm_spec();
  changed["displayName"] = "Renamed";
  ASSERT_TRUE(objects.upsert(workspace("a", "ws", changed, "21")).is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  ASSERT_EQ(snapshot.set.workspaces.size(), 1u);
  EXPECT_EQ(snapshot.set.workspaces[0].display_name, "Renamed");
  objects.remove({ObjectKind::kWorkspace, "a", "ws"});
  EXPECT_TRUE(objects.snapshot().set.workspaces.empty());
  EXPECT_EQ(objects.size(), 1u);
}

// The operator's own writes (status, record) change no desired state: the
// meta follows without a decode. The decode is skipped, so a spec changed
// behind update_meta's back (which the caller never does) is not seen.
TEST(KubeObjects, UpdateMetaFollowsTheVersionWithoutDecodingAgain) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  ASSERT_TRUE(objects.upsert(workspace("a", "ws", paradigm_spec(), "20")).is_ok());
  json changed = paradigm_spec();
  changed["displayName"] = "Not decoded";
  json written = workspace("a", "ws", changed, "21");
  written["metadata"]["deletionTimestamp"] = "2026-12-06T11:00:00Z";
  ASSERT_TRUE(objects.update_meta(written).is_ok());
  ObjectSnapshot snapshot = objects.snapshot();
  ASSERT_EQ(snapshot.set.workspaces.size(), 1u);
  EXPECT_EQ(snapshot.set.workspaces[0].display_name, "Legal documents");
  const ObjectMeta& meta = snapshot.meta.at({ObjectKind::kWorkspace, "a", "ws"});
  EXPECT_EQ(meta.resource_version, "21");
  EXPECT_TRUE(meta.deleting);
  // An object not known yet is decoded.
  ASSERT_TRUE(objects.update_meta(workspace("a", "other", changed, "22")).is_ok());
  snapshot = objects.snapshot();
  ASSERT_EQ(snapshot.set.workspaces.size(), 2u);
  for (const auto& ws : snapshot.set.workspaces) {
    EXPECT_EQ(ws.display_name, ws.key().name == "other" ? "Not decoded" : "Legal documents");
  }
  EXPECT_EQ(objects.update_meta(json{{"kind", "Secret"}}).code(), Code::kInvalid);
}

TEST(KubeObjects, ObjectsOfOtherKindsAreRefused) {
  ObjectSet objects;
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}};
  EXPECT_EQ(objects.upsert(secret).code(), Code::kInvalid);
  json nameless = workspace("a", "", paradigm_spec());
  EXPECT_EQ(objects.upsert(nameless).code(), Code::kInvalid);
  EXPECT_EQ(objects.size(), 0u);
}

}  // namespace
}  // namespace wsop::source
