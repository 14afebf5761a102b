// spec.proxy of a ProviderConfig: decoding, positioned errors, and a proxy
// password that never shows in an error or in the printed model. The error
// positions themselves are also covered by tests/fixtures/manifests/.
#include <gtest/gtest.h>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"

namespace wsop::manifest {
namespace {

LoadResult load_proxy(const std::string& proxy_block) {
  return load_texts({{"pc.yaml",
                      "apiVersion: workspace-operator.io/v1alpha1\n"
                      "kind: ProviderConfig\n"
                      "metadata: {name: cd}\n"
                      "spec:\n"
                      "  type: cadenya\n"
                      "  credentials: {env: CD_TOKEN}\n" +
                          proxy_block}});
}

std::string errors(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.to_string() + "\n";
  return out;
}

TEST(DecodeProxyTest, UnsetMeansTheEnvironment) {
  LoadResult r = load_proxy("");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_FALSE(r.set.provider_configs[0].proxy.url);
  EXPECT_FALSE(r.set.provider_configs[0].proxy.none);
  EXPECT_FALSE(to_manifest_list(r.set)["items"][0]["spec"].contains("proxy"));
}

TEST(DecodeProxyTest, UrlAndNone) {
  LoadResult r = load_proxy("  proxy: {url: \"http://proxy.corp:3128\"}\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.set.provider_configs[0].proxy.url, "http://proxy.corp:3128");
  EXPECT_EQ(to_manifest_list(r.set)["items"][0]["spec"]["proxy"]["url"], "http://proxy.corp:3128");

  r = load_proxy("  proxy:\n    none: true\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_TRUE(r.set.provider_configs[0].proxy.none);
  EXPECT_FALSE(r.set.provider_configs[0].proxy.url);
  EXPECT_EQ(to_manifest_list(r.set)["items"][0]["spec"]["proxy"]["none"], true);
}

TEST(DecodeProxyTest, CredentialsAreKeptButNeverPrinted) {
  LoadResult r = load_proxy("  proxy: {url: \"http://ops:pr0xy-s3cret@proxy.corp:3128\"}\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.set.provider_configs[0].proxy.url, "http://ops:pr0xy-s3cret@proxy.corp:3128");
  std::string printed = to_manifest_list(r.set).dump();
  EXPECT_EQ(printed.find("pr0xy-s3cret"), std::string::npos) << printed;
  EXPECT_NE(printed.find("http://***@proxy.corp:3128"), std::string::npos) << printed;
  // The in-memory rendering keeps them, so a password change is a change.
  LoadResult other = load_proxy("  proxy: {url: \"http://ops:rotated@proxy.corp:3128\"}\n");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(to_manifest_json(r.set.provider_configs[0]).dump(),
            to_manifest_json(other.set.provider_configs[0]).dump());
}

TEST(DecodeProxyTest, ErrorsArePositionedAndNeverQuoteTheUrl) {
  LoadResult r = load_proxy("  proxy: {url: \"https://ops:pr0xy-s3cret@proxy.corp:3128\"}\n");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  std::string text = errors(r);
  EXPECT_NE(text.find("pc.yaml:7:"), std::string::npos) << text;
  EXPECT_NE(text.find("spec.proxy.url: "), std::string::npos) << text;
  EXPECT_NE(text.find("only http:// proxies are supported"), std::string::npos) << text;
  EXPECT_EQ(text.find("pr0xy-s3cret"), std::string::npos) << text;

  r = load_proxy("  proxy: {url: \"http://ops:pr0xy-s3cret@proxy.corp:3128/x\"}\n");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_EQ(errors(r).find("pr0xy-s3cret"), std::string::npos) << errors(r);
}

TEST(DecodeProxyTest, ExactlyOneOfUrlOrNone) {
  for (const char* block : {"  proxy: {}\n", "  proxy: {url: \"http://p:1\", none: true}\n"}) {
    LoadResult r = load_proxy(block);
    ASSERT_EQ(r.errors.size(), 1u) << block << errors(r);
    EXPECT_NE(errors(r).find("spec.proxy: exactly one of url or none"), std::string::npos)
        << errors(r);
  }
  LoadResult r = load_proxy("  proxy: {none: false}\n");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_NE(errors(r).find("pc.yaml:7:17: spec.proxy.none: must be true"), std::string::npos)
      << errors(r);
  r = load_proxy("  proxy: {none: true, noProxy: x}\n");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_NE(errors(r).find("spec.proxy.noProxy: unknown field"), std::string::npos) << errors(r);
  r = load_proxy("  proxy: none\n");
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_NE(errors(r).find("pc.yaml:7:10: spec.proxy: "), std::string::npos) << errors(r);
}

}  // namespace
}  // namespace wsop::manifest
