// spec.credentials.secretRef (api/v1alpha1/types.h, SecretKeySelector):
// decoded in every mode with Kubernetes' rules for its fields, a warning at
// the field when loaded from files (only the kubernetes mode reads Secrets),
// rendered back as it was, and refused where the token source is made
// (providers/registry.cpp, providers/http/token_source.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"
#include "controller/manifest/rules.h"
#include "providers/http/token_source.h"
#include "providers/registry.h"

namespace wsop::manifest {
namespace {

const std::string kNeedsKubernetes =
    "credentials.secretRef needs the kubernetes mode (wsctl controller --source kubernetes)";

std::string secret_ref_config(const std::string& secret_ref) {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: cd}\n"
         "spec:\n  type: cadenya\n  credentials:\n    secretRef: " +
         secret_ref + "\n";
}

const model::ProviderConfig& only_config(const LoadResult& r) {
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  EXPECT_EQ(r.set.provider_configs.size(), 1u);
  static const model::ProviderConfig kNone;
  return r.set.provider_configs.empty() ? kNone : r.set.provider_configs[0];
}

TEST(SecretRef, DecodesWithAWarningAtTheField) {
  LoadResult r = load_texts(
      {{"pc.yaml", secret_ref_config("{namespace: ops, name: cadenya.token, key: api_key.v2}")}});
  const model::ProviderConfig& config = only_config(r);
  ASSERT_TRUE(config.credentials.secret_ref.has_value());
  EXPECT_EQ(*config.credentials.secret_ref,
            (model::SecretKeySelector{"ops", "cadenya.token", "api_key.v2"}));
  EXPECT_FALSE(config.credentials.env.has_value());
  EXPECT_FALSE(config.credentials.file.has_value());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].to_string(),
            "pc.yaml:7:16: spec.credentials.secretRef: warning: " + kNeedsKubernetes +
                "; the file and git modes refuse this ProviderConfig's workspaces");
}

TEST(SecretRef, EveryFieldIsRequiredAndCheckedAtItsPosition) {
  LoadResult r = load_texts({{"pc.yaml", secret_ref_config("{namespace: ops, key: t}")}});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "pc.yaml:7:16: spec.credentials.secretRef.name: required field is missing");
  EXPECT_TRUE(r.set.provider_configs.empty());
  EXPECT_TRUE(r.warnings.empty()) << "a refused ProviderConfig warns of nothing";

  r = load_texts({{"pc.yaml", secret_ref_config("{namespace: ops, name: cd, key: \"..t\"}")}});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "pc.yaml:7:48: spec.credentials.secretRef.key: must not be '.' nor start with '..'");
}

TEST(SecretRef, RendersBackToTheSameModel) {
  LoadResult first = load_texts(
      {{"pc.yaml", secret_ref_config("{namespace: workspace-operator, name: cd, key: token}")}});
  auto rendered = to_manifest_json(only_config(first));
  EXPECT_EQ(rendered["spec"]["credentials"].dump(),
            R"({"secretRef":{"namespace":"workspace-operator","name":"cd","key":"token"}})");
  // JSON is YAML: the rendering loads again into the same model.
  LoadResult second = load_texts({{"rendered.json", rendered.dump()}});
  EXPECT_EQ(only_config(second).credentials.secret_ref, only_config(first).credentials.secret_ref);
  EXPECT_EQ(to_manifest_json(only_config(second)), rendered);
}

TEST(SecretRef, TheFileAndGitModesRefuseToMakeATokenSource) {
  LoadResult r =
      load_texts({{"pc.yaml", secret_ref_config("{namespace: ops, name: cd, key: token}")}});
  const model::ProviderConfig& config = only_config(r);
  auto options = providers::client_options(config, providers::ProviderContext{});
  ASSERT_FALSE(options.is_ok());
  EXPECT_EQ(options.status().code(), Code::kInvalid);
  EXPECT_EQ(options.status().message(), "ProviderConfig cd: " + kNeedsKubernetes);

  http::TokenSource source(config.credentials, http::CredentialPolicy{});
  auto token = source.token();
  ASSERT_FALSE(token.is_ok());
  EXPECT_EQ(token.status().code(), Code::kInvalid);
  EXPECT_EQ(token.status().message(), kNeedsKubernetes);
}

TEST(SecretRefRules, KeysAsKubernetesAllowsThem) {
  for (const std::string& key :
       std::vector<std::string>{"token", ".token", "a..b", "A-b_c.d", std::string(253, 'k')}) {
    EXPECT_EQ(check_secret_key(key), "") << key;
  }
  for (const std::string& key :
       std::vector<std::string>{"", ".", "..", "..token", "a/b", "a b", std::string(254, 'k')}) {
    EXPECT_NE(check_secret_key(key), "") << key;
  }
}

TEST(SecretRefRules, NamesAreDnsSubdomains) {
  // Kubernetes bounds the whole name, not its labels.
  std::string long_labels = std::string(70, 'a') + "." + std::string(182, 'b');
  ASSERT_EQ(long_labels.size(), 253u);
  for (const std::string& name :
       std::vector<std::string>{"cd", "cd.token", "a-1.b-2", long_labels}) {
    EXPECT_EQ(check_dns1123_subdomain(name), "") << name;
  }
  for (const std::string& name : std::vector<std::string>{
           "", "Cd", "cd_token", ".cd", "cd.", "a..b", "-a", "a.-b", long_labels + "b"}) {
    EXPECT_NE(check_dns1123_subdomain(name), "") << name;
  }
}

}  // namespace
}  // namespace wsop::manifest
