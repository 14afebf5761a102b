// The fourth provider through the real manifest loader: a ProviderConfig of
// type nimbus and Workspaces with spec.nimbus load with the registry of the
// test build (nimbus_registries.h), and a bad spec.nimbus gets the loader's
// own errors, with file:line:col and the field path.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"
#include "tests/extension/nimbus_registries.h"

namespace wsop::extension {
namespace {

std::string manifest_path(const std::string& file) {
  return std::string(WSOP_SOURCE_DIR) + "/tests/extension/manifests/" + file;
}

manifest::LoadResult load(const std::string& file, const providers::Registry* registry) {
  manifest::LoadOptions options;
  options.registry = registry;
  std::istringstream no_stdin;
  return manifest::load_manifests({manifest_path(file)}, no_stdin, options);
}

std::string all(const std::vector<manifest::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

TEST(NimbusManifest, LoadsWithTheRegistryThatHoldsIt) {
  auto loaded = load("nimbus.yaml", &providers_with_nimbus());
  ASSERT_TRUE(loaded.ok()) << all(loaded.errors);
  EXPECT_TRUE(loaded.warnings.empty()) << all(loaded.warnings);
  ASSERT_EQ(loaded.set.provider_configs.size(), 1u);
  const model::ProviderConfig& config = loaded.set.provider_configs[0];
  EXPECT_EQ(model::to_string(config.type), "nimbus");
  EXPECT_EQ(config.base_url, "https://api.nimbus.invalid");  // the descriptor's default

  ASSERT_EQ(loaded.set.workspaces.size(), 2u);
  const model::Workspace& weather = loaded.set.workspaces[0];
  const auto* spec = providers::nimbus::spec_of(weather);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->region, "eu-1");
  EXPECT_EQ(spec->tier, "premium");
  const auto* radar = providers::nimbus::spec_of(loaded.set.workspaces[1]);
  ASSERT_NE(radar, nullptr);
  EXPECT_EQ(radar->region, "us-12");
  EXPECT_FALSE(radar->tier.has_value());

  // Rendered back by its descriptor, into the normalised manifest (and so
  // into the desired digest).
  auto rendered = manifest::to_manifest_json(weather, providers_with_nimbus());
  EXPECT_EQ(rendered["spec"]["nimbus"].dump(), R"({"region":"eu-1","tier":"premium"})");
}

TEST(NimbusManifest, TheBuiltInRegistryDoesNotKnowIt) {
  auto loaded = load("nimbus.yaml", nullptr);
  ASSERT_FALSE(loaded.ok());
  std::string errors = all(loaded.errors);
  EXPECT_NE(errors.find("nimbus.yaml:9:9: spec.type: unsupported value \"nimbus\""),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("spec.nimbus: unknown field \"nimbus\""), std::string::npos) << errors;
}

TEST(NimbusManifest, BadFieldsGetTheLoadersErrorsAtTheField) {
  auto loaded = load("nimbus-invalid.yaml", &providers_with_nimbus());
  ASSERT_EQ(loaded.errors.size(), 2u) << all(loaded.errors);
  EXPECT_EQ(loaded.errors[0].to_string(),
            manifest_path("nimbus-invalid.yaml") +
                ":18:13: spec.nimbus.region: \"Europe\" is not a Nimbus region (such as eu-1)");
  std::string tier = loaded.errors[1].to_string();
  EXPECT_NE(tier.find("nimbus-invalid.yaml:19:11: spec.nimbus.tier: "), std::string::npos) << tier;
  EXPECT_NE(tier.find("standard, premium"), std::string::npos) << tier;
  EXPECT_TRUE(loaded.set.workspaces.empty());
}

TEST(NimbusManifest, TheBlockIsRequiredAndBelongsToItsType) {
  const std::string config =
      "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
      "metadata: {name: nb}\nspec: {type: nimbus, credentials: {env: NIMBUS_TOKEN}}\n---\n";
  manifest::LoadOptions options;
  options.registry = &providers_with_nimbus();
  auto loaded = manifest::load_texts(
      {{"m.yaml", config + "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\n"
                           "metadata: {name: bare}\nspec: {providerConfigRef: {name: nb}}\n---\n"
                           "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\n"
                           "metadata: {name: other}\nspec:\n  providerConfigRef: {name: nb}\n"
                           "  nimbus: {region: eu-1}\n  aether: {projectId: "
                           "00000000-0000-4000-8000-000000000001}\n"}},
      options);
  std::string errors = all(loaded.errors);
  EXPECT_NE(errors.find("m.yaml:9:7: spec.nimbus: required for a nimbus provider (region)"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("spec.aether: not allowed (ProviderConfig \"nb\" has type nimbus)"),
            std::string::npos)
      << errors;
}

TEST(NimbusManifest, AnExternalNameIsCheckedByTheDescriptor) {
  manifest::LoadOptions options;
  options.registry = &providers_with_nimbus();
  auto text = [](const std::string& id) {
    return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
           "metadata: {name: nb}\nspec: {type: nimbus, credentials: {env: NIMBUS_TOKEN}}\n---\n"
           "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: w\n"
           "  annotations: {workspace-operator.io/external-name: \"" +
           id + "\"}\nspec:\n  providerConfigRef: {name: nb}\n  nimbus: {region: eu-1}\n";
  };
  EXPECT_TRUE(manifest::load_texts({{"ok.yaml", text("nb-42")}}, options).ok());
  auto bad = manifest::load_texts({{"bad.yaml", text("ws_42")}}, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(all(bad.errors).find("must be \"nb-\" followed by digits"), std::string::npos)
      << all(bad.errors);
}

}  // namespace
}  // namespace wsop::extension
