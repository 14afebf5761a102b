// controller/source/kube_secrets.h against the Kubernetes API double
// (tests/kube/kube_double.h) through kube::Client: a token read from a
// Secret created through the API (data and stringData); a rotation reaches
// the next read and on_change; a missing Secret, a missing key, bad base64
// and a value of two lines each refused naming the Secret and key and never
// the value; one informer per Secret, the old ones' watches closed on the
// double when the references change; the registry's client reading through
// it.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "controller/source/kube_secrets.h"
#include "providers/http/token_source.h"
#include "providers/registry.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::source {
namespace {

using kubetest::client_from_kubeconfig;
using kubetest::double_count;
using kubetest::EventLog;
using kubetest::eventually;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kNamespace = "creds";

json secret_object(const std::string& name, const json& data, const char* field = "data") {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", kNamespace}}},
          {field, data}};
}

// The value, or the error in angle brackets (for the assertion's message).
std::string text_of(const Outcome<std::string>& read) {
  return read ? *read : "<" + read.status().to_string() + ">";
}

model::SecretKeySelector ref(const std::string& name, const std::string& key = "token") {
  return {kNamespace, name, key};
}

class KubeSecretsItTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    ASSERT_TRUE(kube_.create_namespace(kNamespace));
    client_ = client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }
  void TearDown() override {
    if (secrets_) secrets_->stop();
  }

  void create(const json& object) {
    auto created = client_->create(kSecretResource, kNamespace, object);
    ASSERT_TRUE(created) << created.status().to_string();
  }

  void start(const std::vector<model::SecretKeySelector>& refs) {
    KubeSecretsOptions options;
    options.min_backoff = 50ms;
    options.max_backoff = 500ms;
    options.on_change = [this](const model::SecretKeySelector& changed) {
      changes_.add(changed.ns + "/" + changed.name + "/" + changed.key);
    };
    secrets_ = std::make_shared<KubeSecrets>(client_, options);
    secrets_->watch(refs);
    ASSERT_TRUE(secrets_->wait_for_sync(30s));
  }

  // The reader's error for ref, checked to name the Secret and the key and
  // to hold nothing of value.
  Status refused(const model::SecretKeySelector& selector, const std::string& value) {
    auto read = secrets_->read(selector);
    EXPECT_FALSE(read) << "read " << selector.name;
    if (read) return Status::ok();
    EXPECT_EQ(read.status().code(), Code::kUnauthorized) << read.status().to_string();
    EXPECT_EQ(read.status().message().find(value), std::string::npos) << read.status().message();
    return read.status();
  }

  int open_secret_watches() {
    auto stats = kube_.stats();
    if (!stats) return -1;
    return (*stats)["openWatchesByResource"].value("secrets", 0);
  }

  kubetest::KubeDouble kube_;
  std::shared_ptr<kube::Client> client_;
  std::shared_ptr<KubeSecrets> secrets_;
  EventLog changes_;
};

TEST_F(KubeSecretsItTest, ReadsDataAndStringData) {
  create(secret_object("from-data", {{"token", "ZGF0YS10b2tlbg=="}}));  // "data-token"
  create(secret_object("from-string-data", {{"api_key.v2", "string-data-token\n"}}, "stringData"));
  start({ref("from-data"), ref("from-string-data", "api_key.v2")});
  auto data = secrets_->read(ref("from-data"));
  ASSERT_TRUE(data) << data.status().to_string();
  EXPECT_EQ(*data, "data-token");
  auto string_data = secrets_->read(ref("from-string-data", "api_key.v2"));
  ASSERT_TRUE(string_data) << string_data.status().to_string();
  EXPECT_EQ(*string_data, "string-data-token\n") << "the value as stored; the token source trims";

  // Through the token source, which drops the final newline.
  model::Credentials credentials;
  credentials.secret_ref = ref("from-string-data", "api_key.v2");
  http::TokenSource source(credentials, http::CredentialPolicy{}, secrets_);
  auto token = source.token();
  ASSERT_TRUE(token) << token.status().to_string();
  EXPECT_EQ(*token, "string-data-token");
}

TEST_F(KubeSecretsItTest, ARotatedSecretReachesTheNextRead) {
  create(secret_object("rotating", {{"token", "first-token"}}, "stringData"));
  start({ref("rotating")});
  model::Credentials credentials;
  credentials.secret_ref = ref("rotating");
  http::TokenSource source(credentials, http::CredentialPolicy{}, secrets_);
  ASSERT_EQ(text_of(source.token()), "first-token");

  auto current = client_->get(kSecretResource, kNamespace, "rotating");
  ASSERT_TRUE(current) << current.status().to_string();
  json rotated = *current;
  rotated["data"]["token"] = "c2Vjb25kLXRva2Vu";  // "second-token"
  ASSERT_TRUE(client_->update(kSecretResource, rotated));
  EXPECT_TRUE(eventually([&] { return text_of(source.token()) == "second-token"; }, 10s));
  EXPECT_TRUE(changes_.wait_for("creds/rotating/token", 10s));
  EXPECT_EQ(changes_.entries(), std::vector<std::string>{"creds/rotating/token"})
      << "the first list is no change";

  // A change of another key is not this reference's change.
  ASSERT_TRUE(
      client_->patch(kSecretResource, kNamespace, "rotating", {{"stringData", {{"other", "x"}}}}));
  ASSERT_TRUE(client_->patch(kSecretResource, kNamespace, "rotating",
                             {{"stringData", {{"token", "third-token"}}}}));
  EXPECT_TRUE(eventually([&] { return changes_.entries().size() == 2; }, 10s));
  EXPECT_EQ(text_of(source.token()), "third-token");
  EXPECT_EQ(changes_.entries().size(), 2u);
}

TEST_F(KubeSecretsItTest, MissingSecretMissingKeyAndBadBase64NameTheSecretNeverTheValue) {
  create(secret_object("no-key", {{"other", "other-VALUE-1"}}, "stringData"));
  create(secret_object("bad-base64", {{"token", "not!base64-VALUE-2"}}));
  create(secret_object("two-lines", {{"token", "line-VALUE-3\r\nX-Evil: 1"}}, "stringData"));
  start({ref("absent"), ref("no-key"), ref("bad-base64"), ref("two-lines")});

  EXPECT_EQ(refused(ref("absent"), "VALUE").message(), "Secret creds/absent not found");
  EXPECT_EQ(refused(ref("no-key"), "other-VALUE-1").message(),
            "Secret creds/no-key has no key token");
  EXPECT_EQ(refused(ref("bad-base64"), "not!base64-VALUE-2").message(),
            "Secret creds/bad-base64 key token is not valid base64");

  // Decoded fine, but no token: check_token refuses it in the token source.
  auto raw = secrets_->read(ref("two-lines"));
  ASSERT_TRUE(raw) << raw.status().to_string();
  model::Credentials credentials;
  credentials.secret_ref = ref("two-lines");
  auto token = http::TokenSource(credentials, http::CredentialPolicy{}, secrets_).token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.status().code(), Code::kUnauthorized);
  const std::string message = token.status().message();
  EXPECT_NE(message.find("Secret creds/two-lines key token"), std::string::npos) << message;
  EXPECT_NE(message.find("more than one line"), std::string::npos) << message;
  EXPECT_EQ(message.find("VALUE"), std::string::npos) << message;
  EXPECT_EQ(message.find("Evil"), std::string::npos) << message;

  // Created afterwards: found without a new watch() call, and on_change says so.
  create(secret_object("absent", {{"token", "late-token"}}, "stringData"));
  EXPECT_TRUE(
      eventually([&] { return text_of(secrets_->read(ref("absent"))) == "late-token"; }, 10s));
  EXPECT_TRUE(changes_.wait_for("creds/absent/token", 10s));
  // Deleted: not found again.
  ASSERT_TRUE(client_->remove(kSecretResource, kNamespace, "absent"));
  EXPECT_TRUE(eventually([&] { return !secrets_->read(ref("absent")); }, 10s));
  EXPECT_EQ(secrets_->read(ref("absent")).status().message(), "Secret creds/absent not found");
}

TEST_F(KubeSecretsItTest, NotReadYetIsTransient) {
  // Lists of Secrets refused, as when RBAC does not cover the namespace.
  ASSERT_TRUE(kube_.fail(
      {{"count", 100000}, {"code", 403}, {"verbs", {"list"}}, {"resources", {"secrets"}}}));
  KubeSecretsOptions options;
  options.min_backoff = 50ms;
  options.max_backoff = 500ms;
  secrets_ = std::make_shared<KubeSecrets>(client_, options);
  secrets_->watch({ref("forbidden")});
  EXPECT_FALSE(secrets_->wait_for_sync(300ms));
  // One read both waited for and checked: the informer retries meanwhile.
  Outcome<std::string> read = Status::error(Code::kInternal, "not read");
  EXPECT_TRUE(eventually(
      [&] {
        read = secrets_->read(ref("forbidden"));
        return read.status().message().find("Forbidden") != std::string::npos;
      },
      30s));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.status().code(), Code::kTransient);
  EXPECT_EQ(read.status().message().rfind("Secret creds/forbidden not read yet (Forbidden: ", 0),
            0u)
      << read.status().message();

  auto unwatched = secrets_->read(ref("never-watched"));
  ASSERT_FALSE(unwatched);
  EXPECT_EQ(unwatched.status().code(), Code::kTransient);
  EXPECT_EQ(unwatched.status().message(),
            "Secret creds/never-watched not read yet: it is not watched");

  // Once the lists are allowed, the informer's retry syncs it.
  ASSERT_TRUE(kube_.stop_failing());
  create(secret_object("forbidden", {{"token", "allowed-now"}}, "stringData"));
  EXPECT_TRUE(secrets_->wait_for_sync(30s));
  // The retried list may come before the create: the watch then brings it.
  EXPECT_TRUE(
      eventually([&] { return text_of(secrets_->read(ref("forbidden"))) == "allowed-now"; }, 30s))
      << text_of(secrets_->read(ref("forbidden")));
}

TEST_F(KubeSecretsItTest, OneInformerPerSecretAndTheOldOnesStop) {
  create(secret_object("a", {{"token", "a-token"}, {"backup", "a-backup"}}, "stringData"));
  create(secret_object("b", {{"token", "b-token"}}, "stringData"));
  create(secret_object("c", {{"token", "c-token"}}, "stringData"));
  // Two keys of a and a duplicate: still one informer each.
  start({ref("a"), ref("a", "backup"), ref("b"), ref("b")});
  using Names = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(secrets_->watched(), (Names{{kNamespace, "a"}, {kNamespace, "b"}}));
  EXPECT_TRUE(eventually([&] { return open_secret_watches() == 2; }, 10s)) << open_secret_watches();
  EXPECT_EQ(text_of(secrets_->read(ref("a", "backup"))), "a-backup");

  secrets_->watch({ref("b"), ref("c")});
  EXPECT_EQ(secrets_->watched(), (Names{{kNamespace, "b"}, {kNamespace, "c"}}));
  ASSERT_TRUE(secrets_->wait_for_sync(30s));
  EXPECT_EQ(text_of(secrets_->read(ref("c"))), "c-token");
  EXPECT_EQ(secrets_->read(ref("a")).status().code(), Code::kTransient) << "a is no longer watched";
  // c's watch opened (three watches of Secrets so far) while only two are
  // open: a's was closed.
  EXPECT_TRUE(eventually(
      [&] { return double_count(kube_, "watch secrets") >= 3 && open_secret_watches() == 2; }, 10s))
      << open_secret_watches();

  secrets_->watch({});
  EXPECT_TRUE(secrets_->watched().empty());
  EXPECT_TRUE(eventually([&] { return open_secret_watches() == 0; }, 10s)) << open_secret_watches();
}

TEST_F(KubeSecretsItTest, ReadsWhileTheReferencesAndTheSecretChange) {
  create(secret_object("busy", {{"token", "v0"}}, "stringData"));
  create(secret_object("other", {{"token", "o"}}, "stringData"));
  start({ref("busy")});
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!done) {
        auto read = secrets_->read(ref("busy"));
        // A value of the rotation, or "not read yet" while re-watched.
        if (read ? read->empty() || (*read)[0] != 'v' : read.status().code() != Code::kTransient) {
          ++bad;
        }
      }
    });
  }
  for (int round = 1; round <= 10; ++round) {
    // Alternately dropped and watched again, while the handler runs.
    secrets_->watch(round % 2 ? std::vector{ref("other")} : std::vector{ref("busy"), ref("other")});
    EXPECT_TRUE(client_->patch(kSecretResource, kNamespace, "busy",
                               {{"stringData", {{"token", "v" + std::to_string(round)}}}}));
  }
  secrets_->watch({ref("busy")});
  EXPECT_TRUE(secrets_->wait_for_sync(30s));
  EXPECT_TRUE(eventually([&] { return text_of(secrets_->read(ref("busy"))) == "v10"; }, 10s));
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(KubeSecretsItTest, TheRegistrysClientReadsThroughIt) {
  create(secret_object("cadenya", {{"token", "registry-token"}}, "stringData"));
  start({ref("cadenya")});
  model::ProviderConfig config;
  config.name = "cd";
  config.type = model::ProviderType("cadenya");
  config.base_url = "http://127.0.0.1:9";
  config.credentials.secret_ref = ref("cadenya");
  providers::ProviderContext context;
  context.secrets = secrets_;
  auto options = providers::client_options(config, context);
  ASSERT_TRUE(options) << options.status().to_string();
  EXPECT_EQ(text_of(options->token->token()), "registry-token");

  config.credentials.secret_ref = ref("cadenya", "missing");
  options = providers::client_options(config, context);
  ASSERT_TRUE(options) << "a Secret without the key is found at the first request";
  auto token = options->token->token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.status().code(), Code::kUnauthorized);
  EXPECT_EQ(token.status().message(), "Secret creds/cadenya has no key missing");
}

}  // namespace
}  // namespace wsop::source
