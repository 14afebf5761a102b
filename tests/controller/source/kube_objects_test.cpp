// Objects from the Kubernetes API through the file mode's loader
// (controller/source/kube_objects.h): the same fields, defaults and rules;
// an invalid object set aside alone with its message, the others kept.
#include "controller/source/kube_objects.h"

#include <gtest/gtest.h>

#include "controller/manifest/render.h"
#include "providers/registry.h"

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
            providers::Registry::builtin().find("paradigm")->default_base_url);
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

// The operator's own writes (status, its record annotation) give new
// resourceVersions that change nothing the loader reads: no change is
// answered, so they never come back as work. A spec change or a deletion is
// one.
TEST(KubeObjects, OnlyWhatTheUserWroteOrADeletionIsAChange) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  json object = workspace("a", "ws", paradigm_spec(), "20");
  Outcome<bool> added = objects.upsert(object);
  ASSERT_TRUE(added.is_ok());
  EXPECT_TRUE(*added);

  object["metadata"]["resourceVersion"] = "21";
  object["status"] = {{"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}};
  object["metadata"]["annotations"]["workspace-operator.io/record"] = R"({"v":1})";
  Outcome<bool> written = objects.upsert(object);
  ASSERT_TRUE(written.is_ok());
  EXPECT_FALSE(*written) << "status and record are the operator's";
  EXPECT_EQ(objects.snapshot().meta.at({ObjectKind::kWorkspace, "a", "ws"}).resource_version, "21");

  object["metadata"]["resourceVersion"] = "22";
  object["metadata"]["labels"]["team"] = "finance";
  Outcome<bool> labelled = objects.upsert(object);
  ASSERT_TRUE(labelled.is_ok());
  EXPECT_TRUE(*labelled) << "labels are the user's";

  object["metadata"]["resourceVersion"] = "23";
  object["metadata"]["deletionTimestamp"] = "2026-12-07T06:00:00Z";
  Outcome<bool> deleting = objects.upsert(object);
  ASSERT_TRUE(deleting.is_ok());
  EXPECT_TRUE(*deleting);
  EXPECT_TRUE(objects.snapshot().meta.at({ObjectKind::kWorkspace, "a", "ws"}).deleting);
}

// The external-name that equals the record's top-level remoteId is the
// operator's mirror of it; any other is the user's (a request to adopt),
// read as a parsed record reads it: a nested remoteId is not the record's,
// and of duplicate keys the last one counts.
TEST(KubeObjects, TheMirroredExternalNameIsTheOperatorsAndAnyOtherTheUsers) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  json object = workspace("a", "ws", paradigm_spec(), "20");
  ASSERT_TRUE(objects.upsert(object).is_ok());
  int version = 20;
  auto change_of = [&](const std::string& record, const std::string& external) {
    object["metadata"]["resourceVersion"] = std::to_string(++version);
    object["metadata"]["annotations"]["workspace-operator.io/record"] = record;
    object["metadata"]["annotations"]["workspace-operator.io/external-name"] = external;
    Outcome<bool> changed = objects.upsert(object);
    EXPECT_TRUE(changed.is_ok());
    // Back to the mirrored state each time, so each case stands alone.
    object["metadata"]["resourceVersion"] = std::to_string(++version);
    object["metadata"]["annotations"]["workspace-operator.io/record"] = R"({"remoteId":"r-1"})";
    object["metadata"]["annotations"]["workspace-operator.io/external-name"] = "r-1";
    EXPECT_TRUE(objects.upsert(object).is_ok());
    return changed.is_ok() && *changed;
  };
  EXPECT_FALSE(change_of(R"({"remoteId":"r-1"})", "r-1")) << "the operator's own mirror";
  EXPECT_FALSE(change_of(R"({"v":1,"remoteId":"r-1","create":{"state":"done"}})", "r-1"));
  EXPECT_TRUE(change_of(R"({"remoteId":"r-1"})", "r-2")) << "the user's adoption request";
  EXPECT_TRUE(change_of(R"({"create":{"remoteId":"r-1"}})", "r-1")) << "nested: not the record's";
  EXPECT_FALSE(change_of(R"({"remoteId":5,"remoteId":"r-1"})", "r-1")) << "the last key counts";
  EXPECT_TRUE(change_of(R"({"remoteId":"r-1","remoteId":5})", "r-1")) << "the last key counts";
  EXPECT_TRUE(change_of(R"({"remoteId":"r-1")", "r-1")) << "a damaged record mirrors nothing";
}

// What a set's Workspaces are, to compare two sets.
std::vector<std::string> fingerprints(const std::vector<model::Workspace>& workspaces) {
  std::vector<std::string> out;
  for (const auto& ws : workspaces) {
    out.push_back(ws.key().to_string() + " " + manifest::desired_digest(ws) + " " +
                  std::to_string(ws.labels.size()) + " " + std::to_string(ws.annotations.size()));
  }
  return out;
}

// The set of a revision, once published, holds the valid Workspaces; the
// object set keeps only what is not in it, and later snapshots are the
// same as without publishing.
TEST(KubeObjects, PublishedWorkspacesAreKeptOnceAndSnapshotsStayTheSame) {
  ObjectSet objects;
  ASSERT_TRUE(objects.upsert(provider_config("paradigm-prod", "paradigm")).is_ok());
  for (const char* name : {"w1", "w2", "w3"}) {
    ASSERT_TRUE(objects.upsert(workspace("a", name, paradigm_spec())).is_ok());
  }
  ASSERT_TRUE(objects.upsert(workspace("a", "broken", paradigm_spec("nowhere"))).is_ok());
  ObjectSnapshot first = objects.snapshot();
  ASSERT_EQ(first.set.workspaces.size(), 3u);
  // The caller leaves w3 out (being deleted), as KubeSource does.
  manifest::ManifestSet published = first.set;
  published.workspaces.pop_back();
  auto kept = std::make_shared<const manifest::ManifestSet>(published);
  objects.publish(kept);
  // Held here: the ProviderConfig, the set-aside object and w3.
  EXPECT_EQ(objects.decoded_here(), 3u);
  ObjectSnapshot second = objects.snapshot();
  EXPECT_EQ(fingerprints(second.set.workspaces), fingerprints(first.set.workspaces));
  ASSERT_NE(find_invalid(second, "broken"), nullptr);

  // The published set goes when the next one comes: what is only there is
  // copied back first, as w2 is when a rule sets it aside.
  json renamed = paradigm_spec();
  renamed["displayName"] = "Renamed";
  ASSERT_TRUE(objects.upsert(workspace("a", "w1", renamed, "21")).is_ok());
  ObjectSnapshot third = objects.snapshot();
  manifest::ManifestSet next = third.set;
  next.workspaces.erase(next.workspaces.begin() + 1);  // w2 left out this time
  objects.publish(std::make_shared<const manifest::ManifestSet>(next));
  kept.reset();  // the first set is gone now
  ObjectSnapshot fourth = objects.snapshot();
  ASSERT_EQ(fourth.set.workspaces.size(), 3u);
  EXPECT_EQ(fingerprints(fourth.set.workspaces), fingerprints(third.set.workspaces));
  EXPECT_EQ(fourth.set.workspaces[0].display_name, "Renamed");
  EXPECT_EQ(fourth.set.workspaces[1].name, "w2");
}

TEST(KubeObjects, ObjectsOfOtherKindsAreRefused) {
  ObjectSet objects;
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}};
  EXPECT_EQ(objects.upsert(secret).status().code(), Code::kInvalid);
  json nameless = workspace("a", "", paradigm_spec());
  EXPECT_EQ(objects.upsert(nameless).status().code(), Code::kInvalid);
  EXPECT_EQ(objects.size(), 0u);
}

}  // namespace
}  // namespace wsop::source
