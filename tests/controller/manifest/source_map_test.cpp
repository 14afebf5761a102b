// Where loaded documents came from (controller/manifest/source_map.h): the
// map is in step with the set's documents whatever the number of loader
// threads, holds the marks the rules point at, and once dropped (or for a
// set built by hand) the rules still run, without positions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace {

const char* kConfig = R"(apiVersion: workspace-operator.io/v1alpha1
kind: ProviderConfig
metadata: {name: pd}
spec: {type: paradigm, credentials: {env: PD_TOKEN}}
)";

std::string workspace(const std::string& name) {
  return "apiVersion: workspace-operator.io/v1alpha1\n"  // line 1
         "kind: Workspace\n"
         "metadata:\n"
         "  name: " +
         name +
         "\n"  // line 4
         "spec:\n"
         "  providerConfigRef:\n"
         "    name: pd\n"  // line 7
         "  displayName: Shown\n"
         "  paradigm: {companyId: 7}\n";  // line 9
}

TEST(SourceMapTest, EachDocumentKnowsItsFileStartAndFields) {
  LoadResult r =
      load_texts({{"pd.yaml", kConfig}, {"ws.yaml", workspace("a") + "---\n" + workspace("b")}});
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  ASSERT_EQ(r.set.workspaces.size(), 2u);
  const DocumentSource* a = r.set.source_of(r.set.workspaces[0]);
  const DocumentSource* b = r.set.source_of(r.set.workspaces[1]);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->file_name(), "ws.yaml");
  EXPECT_EQ(a->start.line, 1);
  EXPECT_EQ(a->name.line, 4);
  EXPECT_EQ(a->name.column, 9);
  EXPECT_EQ(a->provider_config_ref.line, 7);
  EXPECT_EQ(a->display_name.line, 8);
  EXPECT_EQ(a->block("paradigm").line, 9);
  EXPECT_EQ(a->block("aether").line, 0);
  EXPECT_EQ(a->hardware.line, 0) << "not set";
  EXPECT_EQ(a->or_start(a->hardware).line, 1);
  EXPECT_EQ(b->start.line, 11);
  EXPECT_EQ(b->name.line, 14);
  EXPECT_EQ(a->file, b->file) << "one name shared by a file's documents";
  const DocumentSource* config = r.set.source_of(r.set.provider_configs[0]);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->file_name(), "pd.yaml");
}

TEST(SourceMapTest, OnlyElementsOfTheSetHaveASource) {
  LoadResult r = load_texts({{"pd.yaml", kConfig}, {"ws.yaml", workspace("a")}});
  ASSERT_TRUE(r.ok());
  model::Workspace copy = r.set.workspaces[0];
  EXPECT_EQ(r.set.source_of(copy), nullptr);
  r.set.drop_sources();
  EXPECT_EQ(r.set.source_of(r.set.workspaces[0]), nullptr);
  EXPECT_EQ(r.set.source_of(r.set.provider_configs[0]), nullptr);
}

TEST(SourceMapTest, ManyThreadsKeepTheMapInStepWithTheDocuments) {
  std::vector<SourceText> texts = {{"pd.yaml", kConfig}};
  for (int i = 0; i < 40; ++i) {
    texts.push_back({"ws-" + std::to_string(i) + ".yaml", workspace("w" + std::to_string(i))});
  }
  LoadOptions options;
  options.threads = 4;
  LoadResult r = load_texts(texts, options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.set.workspaces.size(), 40u);
  for (const model::Workspace& ws : r.set.workspaces) {
    const DocumentSource* source = r.set.source_of(ws);
    ASSERT_NE(source, nullptr);
    EXPECT_EQ(source->file_name(), "ws-" + ws.name.substr(1) + ".yaml");
  }
}

TEST(SourceMapTest, RulesAcrossDocumentsPointAtBothDocuments) {
  LoadResult r = load_texts({{"pd.yaml", kConfig},
                             {"one.yaml", workspace("same")},
                             {"two.yaml", "# a comment\n" + workspace("same")}});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "two.yaml:5:9: metadata.name: duplicate Workspace \"default/same\" (first defined at "
            "one.yaml:4:9)");
}

TEST(SourceMapTest, ASetWithoutSourcesIsStillCheckedWithoutPositions) {
  LoadResult r = load_texts({{"pd.yaml", kConfig}, {"ws.yaml", workspace("a")}});
  ASSERT_TRUE(r.ok());
  ManifestSet set = r.set;
  set.workspaces.push_back(set.workspaces[0]);
  set.drop_sources();
  std::vector<Diagnostic> errors;
  validate_set(set, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "");
  EXPECT_EQ(errors[0].mark.line, 0);
  EXPECT_EQ(errors[0].path, "metadata.name");
}

}  // namespace
}  // namespace wsop::manifest
