// The registry of provider descriptors (providers/registry.h): each type is
// found by the name manifests and the state store spell, owns its default
// base URL, capabilities and spec blocks, and the core's behaviour follows
// the capabilities rather than a vendor's name.
#include "providers/registry.h"

#include <gtest/gtest.h>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"
#include "providers/aether/aether_spec.h"
#include "providers/paradigm/paradigm_spec.h"

namespace wsop::providers {
namespace {

TEST(ProviderRegistryTest, BuiltinTypesInRegistrationOrder) {
  const Registry& registry = Registry::builtin();
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"paradigm", "cadenya", "aether"}));
  EXPECT_EQ(registry.find("nope"), nullptr);
  for (const ProviderDescriptor& d : registry.descriptors()) {
    EXPECT_EQ(registry.find(d.type()), &d);
    EXPECT_EQ(model::to_string(d.type()), d.name);
    EXPECT_TRUE(d.make) << d.name;
  }
}

TEST(ProviderRegistryTest, DefaultBaseUrlsAreTheVendors) {
  const Registry& registry = Registry::builtin();
  EXPECT_EQ(registry.find("paradigm")->default_base_url, "https://paradigm.lighton.ai");
  EXPECT_EQ(registry.find("cadenya")->default_base_url, "https://api.cadenya.com");
  EXPECT_EQ(registry.find("aether")->default_base_url, "https://api.runaether.dev");
}

TEST(ProviderRegistryTest, ReplacingAFactoryKeepsTheDescriptor) {
  Registry registry = Registry::builtin();
  bool called = false;
  registry.add("aether",
               [&called](const model::ProviderConfig&, std::unique_ptr<http::Client>,
                         const ProviderContext&) -> Outcome<std::unique_ptr<Provider>> {
                 called = true;
                 return Status::error(Code::kInvalid, "test factory");
               });
  const ProviderDescriptor* aether = registry.find("aether");
  ASSERT_NE(aether, nullptr);
  EXPECT_TRUE(aether->capabilities.hardware);
  EXPECT_TRUE(aether->workspace_block.has_value());
  EXPECT_EQ(registry.names().size(), 3u);
  model::ProviderConfig config;
  config.name = "ae";
  config.type = aether->type();
  config.base_url = "http://127.0.0.1:1";
  config.credentials.env = "WSOP_TEST_TOKEN";
  auto made = registry.make(config, ProviderContext("test"));
  ASSERT_FALSE(made);
  EXPECT_TRUE(called) << made.status().to_string();
}

TEST(ProviderRegistryTest, AnUnregisteredTypeGetsNoClient) {
  model::ProviderConfig config;
  config.name = "x";
  config.type = model::ProviderType("nope");
  auto made = Registry::builtin().make(config, ProviderContext("test"));
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().code(), Code::kInvalid);
  EXPECT_NE(made.status().message().find("no provider registered for type nope"),
            std::string::npos);
}

TEST(ProviderRegistryTest, LocalOnlyFieldsFollowTheCapabilities) {
  model::Workspace ws;
  ws.name = "w";
  ws.ns = "default";
  ws.display_name = "Shown";
  ws.external_id = "ext";
  ws.description = "text";
  ws.labels = {{"team", "a"}};
  Capabilities none;
  none.display_name = false;
  none.description = false;
  EXPECT_EQ(local_only_fields(ws, none),
            (std::vector<std::string>{"spec.displayName", "spec.description", "metadata.labels",
                                      "spec.externalId"}));
  Capabilities all;
  all.labels = true;
  all.native_external_id = true;
  EXPECT_TRUE(local_only_fields(ws, all).empty());
  // Defaults are not "set": a workspace naming nothing explicitly has none.
  model::Workspace plain;
  plain.name = "p";
  plain.display_name = "p";
  plain.external_id = "default/p";
  EXPECT_TRUE(local_only_fields(plain, none).empty());
}

const char* kManifests = R"(apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: pd}
spec: {type: paradigm, credentials: {env: PD_TOKEN}, paradigm: {companyId: 7, allowDuplicateNames: true}}
---
apiVersion: workspace-operator.io/v1alpha1
kind: Workspace
metadata: {name: docs}
spec:
  providerConfigRef: {name: pd}
  paradigm: {companyId: 7, documentUploadMethod: synced}
---
apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: ae}
spec: {type: aether, credentials: {env: AE_TOKEN}}
---
apiVersion: workspace-operator.io/v1alpha1
kind: Workspace
metadata: {name: box}
spec:
  providerConfigRef: {name: ae}
  aether: {projectId: 00000000-0000-4000-8000-000000000001, powerState: Stopped}
)";

// The loader decodes each spec.<type> block with that type's descriptor
// into the provider's own typed block, which renders back as it was read.
TEST(ProviderRegistryTest, SpecBlocksDecodeToTheProvidersTypesAndRenderBack) {
  auto loaded = manifest::load_texts({{"set.yaml", kManifests}});
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  ASSERT_EQ(loaded.set.workspaces.size(), 2u);
  const model::ProviderConfig* pd = loaded.set.find_provider_config("pd");
  ASSERT_NE(pd, nullptr);
  EXPECT_EQ(paradigm::config_spec_of(*pd).company_id, 7);
  EXPECT_TRUE(paradigm::config_spec_of(*pd).allow_duplicate_names);
  const model::Workspace& docs = loaded.set.workspaces[0];
  const paradigm::WorkspaceSpec* docs_spec = paradigm::spec_of(docs);
  ASSERT_NE(docs_spec, nullptr);
  EXPECT_EQ(docs_spec->company_id, 7);
  EXPECT_EQ(docs_spec->document_upload_method, paradigm::DocumentUploadMethod::kSynced);
  EXPECT_EQ(aether::spec_of(docs), nullptr);
  const aether::WorkspaceSpec* box = aether::spec_of(loaded.set.workspaces[1]);
  ASSERT_NE(box, nullptr);
  EXPECT_EQ(box->power_state, aether::PowerState::kStopped);

  auto rendered = manifest::to_manifest_json(docs);
  EXPECT_EQ(rendered["spec"]["paradigm"].dump(),
            R"({"companyId":7,"documentUploadMethod":"synced"})");
  EXPECT_EQ(manifest::to_manifest_json(*pd)["spec"]["paradigm"].dump(), R"({"companyId":7})");
  auto again =
      manifest::load_texts({{"again.json", manifest::to_manifest_list(loaded.set).dump()}});
  ASSERT_TRUE(again.ok()) << (again.errors.empty() ? "" : again.errors[0].to_string());
  EXPECT_EQ(manifest::to_manifest_json(again.set.workspaces[1]).dump(),
            manifest::to_manifest_json(loaded.set.workspaces[1]).dump());
}

}  // namespace
}  // namespace wsop::providers
