// The credential policy at validate time (controller/manifest/
// decode_provider_config.cpp): a refused variable or file is an error at its
// field, with its position, and the set applies nothing. The policy reaches
// the loader through LoadOptions only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace {

namespace fs = std::filesystem;

std::string provider_config(const std::string& credentials) {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: cd}\n"
         "spec:\n  type: cadenya\n  credentials: " +
         credentials + "\n";
}

LoadOptions with_policy(const std::vector<std::string>& dirs,
                        const std::string& pattern = http::kDefaultCredentialsEnvPattern) {
  LoadOptions options;
  auto policy = http::CredentialPolicy::create(dirs, pattern);
  EXPECT_TRUE(policy) << policy.status().to_string();
  if (policy) options.credentials = *policy;
  return options;
}

class ManifestCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wsop-manifest-creds-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "secrets");
    fs::create_directories(dir_ / "manifests");
    std::ofstream(dir_ / "secrets/token") << "tok\n";
    std::ofstream(dir_ / "manifests/token") << "tok\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(ManifestCredentialsTest, FileUnderANamedDirectoryIsAccepted) {
  std::string text = provider_config("{file: " + (dir_ / "secrets/token").string() + "}");
  LoadResult r = load_texts({{"pc.yaml", text}}, with_policy({(dir_ / "secrets").string()}));
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  EXPECT_EQ(r.set.provider_configs.size(), 1u);
}

TEST_F(ManifestCredentialsTest, RefusedFileIsAnErrorAtItsField) {
  auto options = with_policy({(dir_ / "secrets").string()});
  for (const std::string& path : std::vector<std::string>{
           (dir_ / "secrets/../manifests/token").string(), "/proc/self/environ", "/etc/passwd",
           (dir_ / "manifests/token").string()}) {
    SCOPED_TRACE(path);
    LoadResult r = load_texts({{"pc.yaml", provider_config("{file: " + path + "}")}}, options);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string().rfind(
                  "pc.yaml:6:23: spec.credentials.file: credentials file " + path, 0),
              0u)
        << r.errors[0].to_string();
    EXPECT_TRUE(r.set.provider_configs.empty()) << "a refused ProviderConfig must not be applied";
  }
}

TEST_F(ManifestCredentialsTest, ManifestDirectoryIsNotImplied) {
  // Loaded from the directory that holds the token: still refused.
  std::ofstream(dir_ / "manifests/pc.yaml") << provider_config("{file: token}");
  std::istringstream none;
  LoadResult r = load_manifests({(dir_ / "manifests").string()}, none);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "spec.credentials.file");
}

TEST_F(ManifestCredentialsTest, EnvPatternComesFromTheOptions) {
  std::string text = provider_config("{env: PATH}");
  LoadResult strict = load_texts({{"pc.yaml", text}});
  ASSERT_EQ(strict.errors.size(), 1u);
  EXPECT_EQ(strict.errors[0].to_string().rfind("pc.yaml:6:22: spec.credentials.env: ", 0), 0u)
      << strict.errors[0].to_string();
  EXPECT_TRUE(load_texts({{"pc.yaml", provider_config("{env: FOO_TOKEN}")}}).ok());
  LoadResult widened = load_texts({{"pc.yaml", text}}, with_policy({}, "^(PATH|[A-Z_]+_TOKEN)$"));
  EXPECT_TRUE(widened.ok()) << (widened.errors.empty() ? "" : widened.errors[0].to_string());
}

}  // namespace
}  // namespace wsop::manifest
