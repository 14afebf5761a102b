// Data-driven checks over tests/fixtures/manifests:
//   invalid/NAME.yaml  starts with one or more lines
//                        # expect: LINE:COL PATH: MESSAGE-FRAGMENT
//                      and must produce exactly those errors, no others;
//   valid/NAME.yaml    must load without errors, and its normalised model
//                      must equal valid/NAME.json;
//   skipped/NAME.yaml  holds documents of other API groups beside ours:
//                        # skip: LINE:COL skipped kind X (apiVersion Y)
//                        # loads: PROVIDERCONFIGS WORKSPACES
//                      must load without errors, with exactly those
//                      warnings and that many resources of ours.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"

namespace wsop::manifest {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(WSOP_SOURCE_DIR) / "tests/fixtures/manifests";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Expected {
  int line = 0, column = 0;
  std::string path, fragment;
};

std::vector<Expected> expectations(const std::string& text) {
  std::vector<Expected> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line) && line.rfind("#", 0) == 0) {
    const std::string tag = "# expect: ";
    if (line.rfind(tag, 0) != 0) continue;
    Expected e;
    std::string rest = line.substr(tag.size());
    char colon = 0;
    std::istringstream fields(rest);
    fields >> e.line >> colon >> e.column;
    std::getline(fields, rest);
    rest.erase(0, rest.find_first_not_of(' '));
    size_t sep = rest.find(": ");
    e.path = rest.substr(0, sep);
    e.fragment = sep == std::string::npos ? "" : rest.substr(sep + 2);
    out.push_back(e);
  }
  return out;
}

// The valid fixtures' token files sit under /var/run/secrets, named as the
// operator names it (--credentials-dir); the invalid ones load with the
// defaults, which allow no file.
LoadOptions fixture_credentials() {
  LoadOptions options;
  options.credentials =
      *http::CredentialPolicy::create({"/var/run/secrets"}, http::kDefaultCredentialsEnvPattern);
  return options;
}

std::vector<fs::path> fixtures(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kFixtures / dir)) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ManifestFixturesTest, EveryInvalidFixtureReportsExactlyItsErrors) {
  auto files = fixtures("invalid");
  ASSERT_GE(files.size(), 1u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::string text = read(file);
    auto expected = expectations(text);
    ASSERT_FALSE(expected.empty()) << "fixture has no '# expect:' line";
    LoadResult result = load_texts({{file.filename().string(), text}});
    std::string got;
    for (const auto& d : result.errors) got += "  " + d.to_string() + "\n";
    ASSERT_EQ(result.errors.size(), expected.size()) << "errors:\n" << got;
    for (size_t i = 0; i < expected.size(); ++i) {
      const Diagnostic& d = result.errors[i];
      EXPECT_EQ(d.file, file.filename().string());
      EXPECT_EQ(d.mark.line, expected[i].line) << got;
      EXPECT_EQ(d.mark.column, expected[i].column) << got;
      EXPECT_EQ(d.path, expected[i].path) << got;
      EXPECT_NE(d.message.find(expected[i].fragment), std::string::npos)
          << "message \"" << d.message << "\" lacks \"" << expected[i].fragment << "\"";
    }
  }
}

TEST(ManifestFixturesTest, EveryValidFixtureNormalisesAsRecorded) {
  auto files = fixtures("valid");
  ASSERT_GE(files.size(), 1u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    LoadResult result = load_texts({{file.filename().string(), read(file)}}, fixture_credentials());
    std::string got;
    for (const auto& d : result.errors) got += d.to_string() + "\n";
    ASSERT_TRUE(result.ok()) << got;
    fs::path expected_file = file;
    expected_file.replace_extension(".json");
    ASSERT_TRUE(fs::exists(expected_file)) << "missing " << expected_file;
    auto expected = nlohmann::ordered_json::parse(read(expected_file));
    EXPECT_EQ(to_manifest_list(result.set).dump(2), expected.dump(2));
  }
}

struct ExpectedSkips {
  std::vector<Expected> skips;
  size_t provider_configs = 0, workspaces = 0;
  bool has_counts = false;
};

ExpectedSkips skip_expectations(const std::string& text) {
  ExpectedSkips out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line) && line.rfind("#", 0) == 0) {
    if (line.rfind("# loads: ", 0) == 0) {
      std::istringstream counts(line.substr(9));
      counts >> out.provider_configs >> out.workspaces;
      out.has_counts = true;
    } else if (line.rfind("# skip: ", 0) == 0) {
      Expected e;
      char colon = 0;
      std::istringstream fields(line.substr(8));
      fields >> e.line >> colon >> e.column;
      std::getline(fields, e.path);
      e.path.erase(0, e.path.find_first_not_of(' '));
      out.skips.push_back(e);
    }
  }
  return out;
}

TEST(ManifestFixturesTest, EverySkippedFixtureLoadsOursAndWarnsOfTheRest) {
  auto files = fixtures("skipped");
  ASSERT_GE(files.size(), 3u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::string text = read(file);
    ExpectedSkips expected = skip_expectations(text);
    ASSERT_TRUE(expected.has_counts) << "fixture has no '# loads:' line";
    ASSERT_FALSE(expected.skips.empty()) << "fixture has no '# skip:' line";
    LoadResult result = load_texts({{file.filename().string(), text}});
    std::string got;
    for (const auto& d : result.errors) got += "  " + d.to_string() + "\n";
    ASSERT_TRUE(result.ok()) << got;
    EXPECT_EQ(result.set.provider_configs.size(), expected.provider_configs);
    EXPECT_EQ(result.set.workspaces.size(), expected.workspaces);
    std::string warnings;
    for (const auto& d : result.warnings) warnings += "  " + d.to_string() + "\n";
    ASSERT_EQ(result.warnings.size(), expected.skips.size()) << warnings;
    for (size_t i = 0; i < expected.skips.size(); ++i) {
      const Diagnostic& d = result.warnings[i];
      EXPECT_EQ(d.mark.line, expected.skips[i].line) << warnings;
      EXPECT_EQ(d.mark.column, expected.skips[i].column) << warnings;
      EXPECT_EQ(d.to_string(), file.filename().string() + ":" + std::to_string(d.mark.line) + ":" +
                                   std::to_string(d.mark.column) + ": " + expected.skips[i].path +
                                   ": not a workspace-operator.io resource");
    }
  }
}

// The name is what makes a kustomization.yaml without kind foreign: under
// another name the same text is an error (kind and apiVersion missing).
TEST(ManifestFixturesTest, AKindlessDocumentIsSkippedOnlyInAKustomizationFile) {
  std::string text = "resources: [a.yaml]\n";
  LoadResult kustomize = load_texts({{"dir/kustomization.yml", text}});
  EXPECT_TRUE(kustomize.ok());
  EXPECT_EQ(kustomize.warnings.size(), 1u);
  LoadResult other = load_texts({{"dir/workspaces.yaml", text}});
  EXPECT_EQ(other.errors.size(), 2u);
  EXPECT_TRUE(other.warnings.empty());
}

TEST(ManifestFixturesTest, NormalisedOutputLoadsBackToTheSameModel) {
  for (const fs::path& file : fixtures("valid")) {
    SCOPED_TRACE(file.filename().string());
    LoadResult first = load_texts({{"a.yaml", read(file)}}, fixture_credentials());
    ASSERT_TRUE(first.ok());
    std::string json = to_manifest_list(first.set).dump();
    LoadResult second = load_texts({{"b.json", json}}, fixture_credentials());
    ASSERT_TRUE(second.ok()) << (second.errors.empty() ? "" : second.errors[0].to_string());
    EXPECT_EQ(to_manifest_list(second.set).dump(), json);
  }
}

}  // namespace
}  // namespace wsop::manifest
