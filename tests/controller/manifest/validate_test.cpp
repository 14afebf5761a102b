#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace {

const char* kProviders = R"(apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: pd}
spec: {type: paradigm, credentials: {env: PD_TOKEN}}
---
apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: cd}
spec: {type: cadenya, credentials: {file: /run/token}}
)";

std::string workspace(const std::string& name, const std::string& spec_extra,
                      const std::string& provider = "cd") {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: " + name +
         "\nspec:\n  providerConfigRef: {name: " + provider + "}\n" + spec_extra;
}

// kProviders' token file lives under /run: allowed as --credentials-dir /run
// allows it (a file credential needs a directory named by the operator).
LoadOptions run_credentials() {
  LoadOptions options;
  options.credentials =
      *http::CredentialPolicy::create({"/run"}, http::kDefaultCredentialsEnvPattern);
  return options;
}

LoadResult load(const std::string& workspaces) {
  return load_texts({{"providers.yaml", kProviders}, {"ws.yaml", workspaces}}, run_credentials());
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.to_string() + "\n";
  return out;
}

TEST(ValidateTest, AppliesDefaults) {
  LoadResult r = load(workspace("alpha", ""));
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.set.workspaces.size(), 1u);
  const model::Workspace& ws = r.set.workspaces[0];
  EXPECT_EQ(ws.ns, "default");
  EXPECT_EQ(ws.external_id, "default/alpha");
  EXPECT_EQ(ws.display_name, "alpha");
  EXPECT_FALSE(ws.description.has_value());
  EXPECT_EQ(ws.deletion_policy, model::DeletionPolicy::kDelete);
  EXPECT_EQ(ws.management_policy, model::ManagementPolicy::kFull);
  const model::ProviderConfig& pd = r.set.provider_configs[0];
  EXPECT_EQ(pd.base_url, "https://paradigm.lighton.ai");
  EXPECT_EQ(pd.rate_limit.qps, 10);
  EXPECT_EQ(pd.timeouts.connect.count(), 5000);
  EXPECT_EQ(pd.timeouts.request.count(), 30000);
}

TEST(ValidateTest, DuplicateNameAndExternalIdAcrossFiles) {
  LoadResult r = load_texts(
      {{"providers.yaml", kProviders},
       {"a.yaml", workspace("one", "  externalId: shared\n")},
       {"b.yaml", workspace("one", "") + "---\n" + workspace("two", "  externalId: shared\n")}},
      run_credentials());
  ASSERT_EQ(r.errors.size(), 2u) << dump(r);
  EXPECT_EQ(r.errors[0].file, "b.yaml");
  EXPECT_EQ(r.errors[0].path, "metadata.name");
  EXPECT_NE(r.errors[0].message.find("duplicate Workspace \"default/one\""), std::string::npos);
  EXPECT_NE(r.errors[0].message.find("a.yaml:4:9"), std::string::npos);
  EXPECT_EQ(r.errors[1].path, "spec.externalId");
  EXPECT_EQ(r.errors[1].mark.line, 14);
}

TEST(ValidateTest, DanglingReferenceIsReported) {
  LoadResult r = load(workspace("alpha", "", "missing"));
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "spec.providerConfigRef.name");
  EXPECT_EQ(r.errors[0].mark.line, 6);
  EXPECT_EQ(r.errors[0].mark.column, 29);
}

TEST(ValidateTest, ProviderBlocksMustMatchTheProviderType) {
  LoadResult r = load(workspace("alpha", "  hardware: {cpus: 2}\n  paradigm: {companyId: 3}\n"));
  ASSERT_EQ(r.errors.size(), 2u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "spec.hardware");
  EXPECT_EQ(r.errors[1].path, "spec.paradigm");
  LoadResult missing = load(workspace("beta", "", "pd"));
  ASSERT_EQ(missing.errors.size(), 1u) << dump(missing);
  EXPECT_EQ(missing.errors[0].path, "spec.paradigm");
}

TEST(ValidateTest, ParadigmDisplayNameIsAtMostHundredCharacters) {
  std::string name(101, 'n');
  LoadResult r =
      load(workspace("alpha", "  displayName: " + name + "\n  paradigm: {companyId: 1}\n", "pd"));
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "spec.displayName");
  EXPECT_EQ(r.errors[0].mark.line, 7);
  std::string ok(100, 'n');
  EXPECT_TRUE(
      load(workspace("alpha", "  displayName: " + ok + "\n  paradigm: {companyId: 1}\n", "pd"))
          .ok());
}

// Django counts a name's characters, not its bytes (seed 000: maxLength 100),
// and trims it first: 100 two-, three- or four-byte letters pass, 101 fail.
TEST(ValidateTest, ParadigmDisplayNameLengthCountsCharactersNotBytes) {
  for (std::string letter : {"é", "日", "\xF0\x9F\x98\x80"}) {
    auto named = [&](int letters) {
      std::string name;
      for (int i = 0; i < letters; ++i) name += letter;
      return load(workspace(
          "alpha", "  displayName: \"  " + name + " \"\n  paradigm: {companyId: 1}\n", "pd"));
    };
    LoadResult fits = named(100);
    EXPECT_TRUE(fits.ok()) << letter << ": " << dump(fits);
    LoadResult over = named(101);
    ASSERT_EQ(over.errors.size(), 1u) << letter << ": " << dump(over);
    EXPECT_EQ(over.errors[0].path, "spec.displayName");
    EXPECT_NE(over.errors[0].message.find("at most 100 characters (has 101)"), std::string::npos)
        << over.errors[0].message;
  }
}

// Providers trim names (Python's str.strip() for Paradigm, Unicode spaces
// included), so a displayName of only whitespace would be sent blank:
// refused at validation, on every provider.
TEST(ValidateTest, DisplayNameOfOnlyWhitespaceIsRefused) {
  for (const char* provider : {"pd", "cd"}) {
    std::string spec = std::string("  displayName: \"  \u00a0\u3000 \"\n") +
                       (std::string(provider) == "pd" ? "  paradigm: {companyId: 1}\n" : "");
    LoadResult r = load(workspace("alpha", spec, provider));
    ASSERT_EQ(r.errors.size(), 1u) << provider << ": " << dump(r);
    EXPECT_EQ(r.errors[0].path, "spec.displayName");
    EXPECT_NE(r.errors[0].message.find("only whitespace"), std::string::npos)
        << r.errors[0].message;
  }
  EXPECT_TRUE(load(workspace("alpha", "  displayName: \" a \"\n")).ok());
}

TEST(ValidateTest, AYamlErrorDoesNotMakeLaterProviderConfigsDangling) {
  // Parsing stops at the error, so the ProviderConfig after it is never read:
  // the reference to it is not reported as dangling.
  LoadResult r =
      load_texts({{"ws.yaml", workspace("alpha", "", "later") +
                                  "---\nbroken: [\n---\napiVersion: "
                                  "workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
                                  "metadata: {name: later}\n"
                                  "spec: {type: cadenya, credentials: {env: CD_TOKEN}}\n"}});
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "<document>");
}

TEST(ValidateTest, DocumentsWithErrorsAreCheckedAcrossTheSetButNeverApplied) {
  LoadResult r = load(workspace("alpha", "  hardware: {cpus: 2}\n  bogus: 1\n") + "---\n" +
                      workspace("alpha", ""));
  ASSERT_EQ(r.errors.size(), 3u) << dump(r);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].path, "spec.hardware");
  EXPECT_EQ(r.errors[1].path, "spec.bogus");
  EXPECT_EQ(r.errors[2].path, "metadata.name");
  // Only the document without errors of its own is in what may be applied.
  ASSERT_EQ(r.set.workspaces.size(), 1u);
  const DocumentSource* source = r.set.source_of(r.set.workspaces[0]);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->start.line, 10);
  ASSERT_EQ(r.set.rejected_workspaces.size(), 1u);
  EXPECT_EQ(r.set.rejected_workspaces[0].valid_before, 0u);
}

TEST(ValidateTest, AnInvalidProviderConfigHidesOnlyReferencesToItsName) {
  const char* broken =
      "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
      "metadata: {name: broken}\nspec: {type: cadenya}\n";
  LoadResult r = load_texts({{"pc.yaml", broken},
                             {"ws.yaml", workspace("a", "", "broken") + "---\n" +
                                             workspace("b", "  hardware: {}\n", "broken") +
                                             "---\n" + workspace("c", "", "other")}});
  ASSERT_EQ(r.errors.size(), 3u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "spec.credentials");  // the ProviderConfig's own error
  // Its type is known, so the workspaces referring to it are still checked.
  EXPECT_EQ(r.errors[1].path, "spec.hardware");
  EXPECT_EQ(r.errors[2].path, "spec.providerConfigRef.name");
  EXPECT_NE(r.errors[2].message.find("\"other\""), std::string::npos);
  EXPECT_EQ(r.set.invalid_provider_config_names, std::set<std::string>{"broken"});
}

TEST(ValidateTest, AProviderConfigWithoutAUsableNameHidesEveryDanglingReference) {
  // "Cadenya" is no DNS-1123 label, so no reference can spell it: whatever it
  // is renamed to, the workspace may be referring to it.
  LoadResult r = load_texts(
      {{"pc.yaml",
        "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
        "metadata: {name: Cadenya}\nspec: {type: cadenya, credentials: {env: CD_TOKEN}}\n"},
       {"ws.yaml", workspace("a", "", "x")}});
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "metadata.name");
}

TEST(ValidateTest, AnUnreadableInputHidesDanglingReferences) {
  std::istringstream in(workspace("alpha", "", "elsewhere"));
  LoadResult r = load_manifests({"/nonexistent/providers.yaml", "-"}, in);
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "<file>");
  std::istringstream again(workspace("alpha", "", "elsewhere"));
  LoadResult alone = load_manifests({"-"}, again);
  ASSERT_EQ(alone.errors.size(), 1u) << dump(alone);
  EXPECT_EQ(alone.errors[0].path, "spec.providerConfigRef.name");
}

TEST(ValidateTest, RateLimitReadsYamlOctal) {
  LoadResult r = load_texts(
      {{"pc.yaml",
        "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
        "metadata: {name: cd}\n"
        "spec: {type: cadenya, credentials: {env: CD_TOKEN}, rateLimit: {qps: 0o10}}\n"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.set.provider_configs[0].rate_limit.qps, 8);
}

TEST(ValidateTest, ReportsEveryErrorNotOnlyTheFirst) {
  LoadResult r = load(workspace("Bad", "  deletionPolicy: Keep\n  bogus: 1\n"));
  EXPECT_EQ(r.errors.size(), 3u) << dump(r);
}

TEST(ValidateTest, ReadsStdinAndDirectories) {
  std::istringstream in(std::string(kProviders) + "---\n" + workspace("alpha", ""));
  LoadResult r = load_manifests({"-"}, in, run_credentials());
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.set.workspaces.size(), 1u);
  std::istringstream none;
  LoadResult examples = load_manifests({WSOP_SOURCE_DIR "/manifests/examples"}, none);
  EXPECT_TRUE(examples.ok()) << dump(examples);
  EXPECT_GE(examples.set.workspaces.size(), 3u);
  LoadResult missing = load_manifests({"/nonexistent/dir"}, none);
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].to_string(),
            "/nonexistent/dir:1:1: <file>: no such file or directory");
}

}  // namespace
}  // namespace wsop::manifest
