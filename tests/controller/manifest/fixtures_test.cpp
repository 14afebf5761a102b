// Data-driven checks over tests/fixtures/manifests:
//   invalid/NAME.yaml  starts with one or more lines
//                        # expect: LINE:COL PATH: MESSAGE-FRAGMENT
//                      and must produce exactly those errors, no others;
//   valid/NAME.yaml    must load without errors, and its normalised model
//                      must equal valid/NAME.json.
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
