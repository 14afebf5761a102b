// credentials.secretRef without a cluster: the token source over a
// SecretReader (providers/http/secret_reader.h) reads at every call and
// judges the value as it judges a file's; the registry builds a client for a
// secretRef only with a reader; the kubernetes mode's loader does not warn
// of a secretRef; and the strict base64 of controller/source/kube_secrets.h.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "controller/manifest/manifest_set.h"
#include "controller/runtime/session.h"
#include "controller/source/kube_secrets.h"
#include "providers/http/token_source.h"
#include "providers/registry.h"

namespace wsop {
namespace {

const model::SecretKeySelector kRef{"creds", "cadenya", "token"};
const std::string kNeedsKubernetes = http::kSecretRefNeedsKubernetes;

// Answers what a test put, counting the reads.
class FakeSecrets : public http::SecretReader {
 public:
  void put(std::string value) {
    std::lock_guard lock(mu_);
    value_ = std::move(value);
    status_ = Status::ok();
  }
  void fail(Status status) {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
  }
  int reads() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  Outcome<std::string> read(const model::SecretKeySelector& ref) override {
    std::lock_guard lock(mu_);
    ++reads_;
    EXPECT_EQ(ref, kRef);
    if (!status_.is_ok()) return status_;
    return value_;
  }

 private:
  mutable std::mutex mu_;
  std::string value_;
  Status status_;
  int reads_ = 0;
};

model::Credentials secret_credentials() {
  model::Credentials credentials;
  credentials.secret_ref = kRef;
  return credentials;
}

TEST(SecretRefTokenSource, ReadsTheReaderAtEveryCall) {
  auto secrets = std::make_shared<FakeSecrets>();
  secrets->put("first-token\n");  // a trailing newline, as `echo` leaves it
  http::TokenSource source(secret_credentials(), http::CredentialPolicy{}, secrets);
  auto token = source.token();
  ASSERT_TRUE(token) << token.status().to_string();
  EXPECT_EQ(*token, "first-token");
  secrets->put("rotated-token");
  token = source.token();
  ASSERT_TRUE(token) << token.status().to_string();
  EXPECT_EQ(*token, "rotated-token") << "a rotated Secret is used by the next request";
  EXPECT_EQ(secrets->reads(), 2);
}

TEST(SecretRefTokenSource, RefusesAValueThatIsNoTokenWithoutQuotingIt) {
  auto secrets = std::make_shared<FakeSecrets>();
  http::TokenSource source(secret_credentials(), http::CredentialPolicy{}, secrets);
  for (const std::string& value :
       {std::string("line-one-VALUE\r\nX-Injected: yes"), std::string("two-VALUE\nlines"),
        std::string("with space-VALUE"), std::string(""), std::string(16 * 1024 + 1, 'V')}) {
    secrets->put(value);
    auto token = source.token();
    ASSERT_FALSE(token) << value;
    EXPECT_EQ(token.status().code(), Code::kUnauthorized);
    const std::string message = token.status().message();
    EXPECT_NE(message.find("Secret creds/cadenya key token "), std::string::npos) << message;
    if (!value.empty()) {
      EXPECT_EQ(message.find(value.substr(0, 9)), std::string::npos) << message;
    }
    EXPECT_EQ(message.find("VALUE"), std::string::npos) << message;
  }
}

TEST(SecretRefTokenSource, PassesTheReadersErrorOnAsItIs) {
  auto secrets = std::make_shared<FakeSecrets>();
  http::TokenSource source(secret_credentials(), http::CredentialPolicy{}, secrets);
  secrets->fail(Status::error(Code::kUnauthorized, "Secret creds/cadenya not found"));
  auto token = source.token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.status().code(), Code::kUnauthorized);
  EXPECT_EQ(token.status().message(), "Secret creds/cadenya not found");
  // The same category as an unset variable: the ProviderConfig is set aside
  // as unusable by the same path (controller/runtime/session.cpp, set_aside_unusable).
  EXPECT_TRUE(runtime::is_configuration_failure(token.status()));
  model::Credentials env;
  env.env = "WSOP_TEST_SURELY_UNSET_TOKEN";
  auto unset = http::TokenSource(env, http::CredentialPolicy{}).token();
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.status().code(), token.status().code());

  secrets->fail(Status::error(Code::kTransient, "Secret creds/cadenya not read yet"));
  token = source.token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.status().code(), Code::kTransient);
}

TEST(SecretRefTokenSource, WithoutAReaderTheKubernetesModeIsNeeded) {
  http::TokenSource source(secret_credentials(), http::CredentialPolicy{}, nullptr);
  auto token = source.token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.status().code(), Code::kInvalid);
  EXPECT_EQ(token.status().message(), kNeedsKubernetes);
}

model::ProviderConfig secret_ref_config() {
  model::ProviderConfig config;
  config.name = "cd";
  config.type = model::ProviderType("cadenya");
  config.base_url = "http://127.0.0.1:9";
  config.credentials = secret_credentials();
  return config;
}

TEST(SecretRefRegistry, BuildsAClientOnlyWithAReader) {
  providers::ProviderContext context;
  auto refused = providers::client_options(secret_ref_config(), context);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), Code::kInvalid);
  EXPECT_EQ(refused.status().message(), "ProviderConfig cd: " + kNeedsKubernetes);

  auto secrets = std::make_shared<FakeSecrets>();
  secrets->put("registry-token");
  context.secrets = secrets;
  auto options = providers::client_options(secret_ref_config(), context);
  ASSERT_TRUE(options) << options.status().to_string();
  ASSERT_TRUE(options->token);
  auto token = options->token->token();
  ASSERT_TRUE(token) << token.status().to_string();
  EXPECT_EQ(*token, "registry-token");
}

TEST(SecretRefRegistry, AMissingSecretMakesTheProviderUnusableAtItsFirstRequest) {
  auto secrets = std::make_shared<FakeSecrets>();
  secrets->fail(Status::error(Code::kUnauthorized, "Secret creds/cadenya not found"));
  providers::ProviderContext context;
  context.secrets = secrets;
  auto provider = providers::Registry::builtin().make(secret_ref_config(), context);
  ASSERT_TRUE(provider) << provider.status().to_string();
  // Nothing listens on port 9: the token is asked for before any connection.
  auto listed = (*provider)->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kUnauthorized) << listed.status().to_string();
  EXPECT_NE(listed.status().message().find("Secret creds/cadenya not found"), std::string::npos)
      << listed.status().to_string();
  EXPECT_TRUE(runtime::is_configuration_failure(listed.status()));
  EXPECT_GE(secrets->reads(), 1);
}

std::string secret_ref_manifest() {
  return "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\nmetadata: {name: cd}\n"
         "spec:\n  type: cadenya\n  credentials:\n    secretRef: {namespace: creds, name: cadenya, "
         "key: token}\n";
}

TEST(SecretRefLoader, TheKubernetesModeGetsNoWarning) {
  manifest::LoadOptions options;
  options.secret_refs_readable = true;
  manifest::LoadResult readable =
      manifest::load_texts({{"pc.yaml", secret_ref_manifest()}}, options);
  EXPECT_TRUE(readable.ok());
  ASSERT_EQ(readable.set.provider_configs.size(), 1u);
  EXPECT_EQ(readable.set.provider_configs[0].credentials.secret_ref, kRef);
  EXPECT_TRUE(readable.warnings.empty()) << readable.warnings[0].to_string();

  // Files and git: unchanged, one warning at the field.
  manifest::LoadResult files = manifest::load_texts({{"pc.yaml", secret_ref_manifest()}});
  EXPECT_TRUE(files.ok());
  ASSERT_EQ(files.warnings.size(), 1u);
  EXPECT_NE(files.warnings[0].to_string().find(kNeedsKubernetes), std::string::npos);
}

TEST(SecretBase64, DecodesStandardBase64WithItsPadding) {
  const std::map<std::string, std::string> cases = {
      {"", ""},
      {"YQ==", "a"},
      {"YWI=", "ab"},
      {"YWJj", "abc"},
      {"YWJjZA==", "abcd"},
      {"c2VjcmV0", "secret"},
      {"AAE=", {"\0\1", 2}},
      {"+/8=", "\xfb\xff"},
  };
  for (const auto& [encoded, decoded] : cases) {
    auto value = kube::decode_base64_strict(encoded);
    ASSERT_TRUE(value.has_value()) << encoded;
    EXPECT_EQ(*value, decoded) << encoded;
  }
}

TEST(SecretBase64, RefusesAnythingElse) {
  for (const char* text : {"YQ", "YQ=", "YWJjZ", "Y===", "=YWI", "YW=j", "YWJj\n", " YWJj", "YW Jj",
                           "YWJj=", "Y-_j", "YQ==YQ==", "!!!!"}) {
    EXPECT_FALSE(kube::decode_base64_strict(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace wsop
