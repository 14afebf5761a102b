// A set loaded by several threads is the one a single thread loads: the same
// workspaces in the same order, the same rejected documents and the same
// errors at the same places (LoadOptions::threads).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace {

std::string workspace(int i, const std::string& extra) {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: ws-" +
         std::to_string(i) + "\nspec:\n  providerConfigRef: {name: " +
         (i % 7 == 0 ? std::string("missing") : std::string("cd")) + "}\n" + extra;
}

// 1,000 files; every 50th has an unknown field, every 7th a dangling
// reference, every 97th a duplicate externalId, one a YAML syntax error.
std::vector<SourceText> many_files() {
  std::vector<SourceText> texts;
  texts.push_back({"000-providers.yaml",
                   "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
                   "metadata: {name: cd}\nspec: {type: cadenya, credentials: {env: CD_TOKEN}}\n"});
  for (int i = 1; i < 1000; ++i) {
    std::string extra;
    if (i % 50 == 0) extra += "  bogus: 1\n";
    if (i % 97 == 0) extra += "  externalId: shared\n";
    std::string text = workspace(i, extra);
    if (i == 555) text += "  : [\n";
    char name[32];
    std::snprintf(name, sizeof name, "%04d.yaml", i);
    texts.push_back({name, text});
  }
  return texts;
}

std::vector<std::string> lines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.to_string());
  for (const auto& ws : r.set.workspaces) out.push_back("ok " + ws.name);
  for (const auto& rejected : r.set.rejected_workspaces) {
    out.push_back("rejected " + rejected.resource.name + " after " +
                  std::to_string(rejected.valid_before));
  }
  return out;
}

TEST(ParallelLoadTest, FourThreadsLoadWhatOneLoads) {
  auto texts = many_files();
  LoadOptions one, four;
  one.threads = 1;
  four.threads = 4;
  LoadResult sequential = load_texts(texts, one);
  LoadResult parallel = load_texts(texts, four);
  EXPECT_FALSE(sequential.ok());
  EXPECT_GT(sequential.errors.size(), 150u);
  EXPECT_EQ(parallel.documents, sequential.documents);
  EXPECT_EQ(lines(parallel), lines(sequential));
}

TEST(ParallelLoadTest, TheDocumentLimitIsReportedWhereOneThreadFindsIt) {
  auto texts = many_files();
  LoadOptions one, four;
  one.threads = 1;
  four.threads = 4;
  one.max_total_documents = four.max_total_documents = 600;
  LoadResult sequential = load_texts(texts, one);
  LoadResult parallel = load_texts(texts, four);
  bool limit_reported = false;
  for (const auto& d : sequential.errors) {
    limit_reported |= d.to_string().find("too many documents") != std::string::npos;
  }
  EXPECT_TRUE(limit_reported);
  EXPECT_EQ(lines(parallel), lines(sequential));
}

}  // namespace
}  // namespace wsop::manifest
