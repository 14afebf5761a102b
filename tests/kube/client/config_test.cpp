// kube/config.h and kube/token.h: the precedence kubectl uses, the merge of
// $KUBECONFIG, every field, -data against files, relative paths, in-cluster
// from an injected directory, positioned and token-free errors, and the
// token file re-read as the kubelet rotates it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "kube/config.h"
#include "kube/token.h"

namespace wsop::kube {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecretToken = "s3cr3t-t0ken-do-not-print";

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "wsop-kubecfg-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& relative, const std::string& text) {
    fs::path path = fs::path(dir_) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  ConfigSources sources() {
    ConfigSources s;
    s.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto found = env_.find(name);
      if (found == env_.end()) return std::nullopt;
      return found->second;
    };
    s.service_account_dir = dir_ + "/serviceaccount";
    return s;
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

// A kubeconfig with one context `name` using cluster `name` at `server`.
std::string simple_config(const std::string& name, const std::string& server,
                          const std::string& user_fields = "token: t-" + std::string("x")) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + name + "\nclusters:\n- name: " + name +
         "\n  cluster:\n    server: " + server + "\ncontexts:\n- name: " + name +
         "\n  context:\n    cluster: " + name + "\n    user: " + name +
         "\nusers:\n- name: " + name + "\n  user:\n    " + user_fields + "\n";
}

TEST_F(ConfigTest, ExplicitKubeconfigWinsOverEnvironmentAndHome) {
  std::string explicit_file = write("explicit", simple_config("e", "https://explicit:6443"));
  std::string env_file = write("env", simple_config("v", "https://env:6443"));
  write("home/.kube/config", simple_config("h", "https://home:6443"));
  env_["KUBECONFIG"] = env_file;
  env_["HOME"] = dir_ + "/home";
  ConfigSources s = sources();
  s.kubeconfig = explicit_file;
  Outcome<RestConfig> config = load_config(s);
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->server, "https://explicit:6443");
  s.kubeconfig.clear();
  EXPECT_EQ(load_config(s)->server, "https://env:6443");
  env_.erase("KUBECONFIG");
  EXPECT_EQ(load_config(s)->server, "https://home:6443");
}

TEST_F(ConfigTest, ExplicitKubeconfigThatIsMissingIsAnError) {
  ConfigSources s = sources();
  s.kubeconfig = dir_ + "/nothing-here";
  Outcome<RestConfig> config = load_config(s);
  ASSERT_FALSE(config);
  EXPECT_NE(config.status().message().find("nothing-here"), std::string::npos);
}

TEST_F(ConfigTest, KubeconfigListIsMergedFirstDefinitionWins) {
  // The first file sets current-context and cluster "shared"; the second
  // defines the context, a different "shared" and a user of its own.
  std::string first = write("a", R"(current-context: ctx
clusters:
- name: shared
  cluster: {server: "https://first:1"}
)");
  std::string second = write("b", R"(current-context: other
clusters:
- name: shared
  cluster: {server: "https://second:2"}
contexts:
- name: ctx
  context: {cluster: shared, user: u, namespace: team-a}
- name: other
  context: {cluster: shared}
users:
- name: u
  user: {token: from-second}
)");
  env_["KUBECONFIG"] = first + ":" + dir_ + "/missing:" + second;
  Outcome<RestConfig> config = load_config(sources());
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->server, "https://first:1");
  EXPECT_EQ(config->token, "from-second");
  EXPECT_EQ(config->namespace_name, "team-a");
  EXPECT_NE(config->origin.find("context ctx"), std::string::npos);
}

TEST_F(ConfigTest, ContextOverrideChoosesAnotherContext) {
  std::string file = write("cfg", R"(current-context: a
clusters:
- {name: a, cluster: {server: "https://a:1"}}
- {name: b, cluster: {server: "https://b:2"}}
contexts:
- {name: a, context: {cluster: a}}
- {name: b, context: {cluster: b, namespace: nb}}
)");
  Outcome<RestConfig> config = load_kubeconfig({file}, "b");
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->server, "https://b:2");
  EXPECT_EQ(config->namespace_name, "nb");
  Outcome<RestConfig> missing = load_kubeconfig({file}, "zzz");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("context \"zzz\" not found"), std::string::npos);
}

TEST_F(ConfigTest, EveryFieldAndRelativePathsResolvedAgainstTheFile) {
  std::string file = write("sub/dir/config", R"(current-context: c
clusters:
- name: c
  cluster:
    server: https://10.1.2.3:6443/prefix
    certificate-authority: certs/ca.pem
    tls-server-name: kubernetes.default.svc
contexts:
- name: c
  context: {cluster: c, user: u, namespace: ns1}
users:
- name: u
  user:
    tokenFile: ../token
    token: static-token
    client-certificate: certs/client.pem
    client-key: /abs/client-key.pem
)");
  Outcome<RestConfig> config = load_kubeconfig({file}, "");
  ASSERT_TRUE(config) << config.status().to_string();
  const std::string base = (fs::path(dir_) / "sub/dir").string();
  EXPECT_EQ(config->server, "https://10.1.2.3:6443/prefix");
  EXPECT_EQ(config->ca_file, base + "/certs/ca.pem");
  EXPECT_EQ(config->tls_server_name, "kubernetes.default.svc");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token_file, (fs::path(dir_) / "sub/token").string());
  EXPECT_EQ(config->token, "static-token");
  EXPECT_EQ(config->client_cert_file, base + "/certs/client.pem");
  EXPECT_EQ(config->client_key_file, "/abs/client-key.pem");
  EXPECT_EQ(config->namespace_name, "ns1");
}

TEST_F(ConfigTest, DataFieldsAreDecodedAndWinOverFiles) {
  // "CA PEM", "CERT PEM", "KEY PEM" in base64.
  std::string file = write("config", R"(current-context: c
clusters:
- name: c
  cluster:
    server: https://h:1
    certificate-authority: ca.pem
    certificate-authority-data: Q0EgUEVN
contexts:
- {name: c, context: {cluster: c, user: u}}
users:
- name: u
  user:
    client-certificate: cert.pem
    client-certificate-data: Q0VSVCBQRU0=
    client-key-data: S0VZIFBFTQ==
)");
  Outcome<RestConfig> config = load_kubeconfig({file}, "");
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->ca_data, "CA PEM");
  EXPECT_EQ(config->ca_file, "");
  EXPECT_EQ(config->client_cert_data, "CERT PEM");
  EXPECT_EQ(config->client_cert_file, "");
  EXPECT_EQ(config->client_key_data, "KEY PEM");
}

TEST_F(ConfigTest, InsecureSkipVerifyIsReadOnlyWhenSet) {
  std::string plain = write("plain", simple_config("c", "https://h:1"));
  EXPECT_FALSE(load_kubeconfig({plain}, "")->insecure_skip_tls_verify);
  std::string insecure = write("insecure", R"(current-context: c
clusters: [{name: c, cluster: {server: "https://h:1", insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: c}}]
)");
  Outcome<RestConfig> config = load_kubeconfig({insecure}, "");
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_TRUE(config->insecure_skip_tls_verify);
}

struct BrokenCase {
  std::string text;
  std::string expected;  // in the message
};

// A kubeconfig whose only cluster, context and user have these bodies.
std::string one_of_each(const std::string& cluster, const std::string& context,
                        const std::string& user = "") {
  std::string text = "current-context: c\nclusters: [{name: c, cluster: {" + cluster +
                     "}}]\ncontexts: [{name: c, context: {" + context + "}}]\n";
  if (!user.empty()) text += "users: [{name: u, user: {" + user + "}}]\n";
  return text;
}

std::vector<BrokenCase> broken_kubeconfigs() {
  const std::string server = "server: 'https://h:1'";
  const std::string token = std::string("token: ") + kSecretToken;
  return {
      {one_of_each(server, "cluster: x, user: u", token),
       "contexts[0].context.cluster \"x\" not found"},
      {one_of_each(server, "cluster: c, user: nobody"),
       "contexts[0].context.user \"nobody\" not found"},
      {"current-context: gone\ncontexts: []\n", "current-context \"gone\" not found"},
      {"clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n", "current-context is not set"},
      {one_of_each(server + ", certificate-authority-data: '!!notbase64'", "cluster: c"),
       "clusters[0].cluster.certificate-authority-data is not valid base64"},
      {one_of_each(server + ", certificate-authority: ca.pem, insecure-skip-tls-verify: true",
                   "cluster: c"),
       "clusters[0].cluster: certificate-authority and insecure-skip-tls-verify"},
      {one_of_each(server + ", insecure-skip-tls-verify: maybe", "cluster: c"),
       "clusters[0].cluster.insecure-skip-tls-verify must be true or false"},
      {one_of_each("", "cluster: c"), "clusters[0].cluster.server is not set"},
      {one_of_each("server: 'ftp://h'", "cluster: c"), "is not an http:// or https:// URL"},
      {one_of_each(server, "cluster: c, user: u", token + ", exec: {command: aws}"),
       "users[0].user.exec is not supported"},
      {one_of_each(server, "cluster: c, user: u", token + ", client-certificate: c.pem"),
       "users[0].user: client-certificate and client-key must be set together"},
      {one_of_each(server, "cluster: c, user: u", "token: [" + std::string(kSecretToken) + "]"),
       "users[0].user.token must be a string"},
      {"clusters: [ {name: c\n  token: " + std::string(kSecretToken) + "\n", "line "},
      {"- just\n- a list\n", "not a kubeconfig"},
  };
}

// Each broken kubeconfig fails with the file and the field path, never the token.
TEST_F(ConfigTest, ErrorsNameTheFileAndFieldAndNeverTheToken) {
  int index = 0;
  for (const BrokenCase& c : broken_kubeconfigs()) {
    std::string file = write("broken" + std::to_string(index++), c.text);
    Outcome<RestConfig> config = load_kubeconfig({file}, "");
    ASSERT_FALSE(config) << c.text;
    const Status status = config.status();
    const std::string& message = status.message();
    EXPECT_EQ(status.code(), Code::kInvalid) << message;
    EXPECT_EQ(message.rfind(file + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_EQ(message.find(kSecretToken), std::string::npos) << message;
  }
}

TEST_F(ConfigTest, HomeConfigErrorsSayTilde) {
  write("home/.kube/config", "current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\n");
  env_["HOME"] = dir_ + "/home";
  Outcome<RestConfig> config = load_config(sources());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.status().message(),
            "~/.kube/config: contexts[0].context.cluster \"x\" not found");
}

TEST_F(ConfigTest, InClusterFromAnInjectedDirectory) {
  write("serviceaccount/ca.crt", "CA");
  write("serviceaccount/token", std::string(kSecretToken) + "\n");
  write("serviceaccount/namespace", "team-b\n");
  env_["HOME"] = dir_ + "/no-home";
  env_["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  Outcome<RestConfig> config = load_config(sources());
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_file, dir_ + "/serviceaccount/ca.crt");
  EXPECT_EQ(config->token_file, dir_ + "/serviceaccount/token");
  EXPECT_EQ(config->namespace_name, "team-b");
  EXPECT_EQ(config->origin, "in-cluster");
  env_["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  EXPECT_EQ(load_config(sources())->server, "https://[fd00::1]:443");
}

TEST_F(ConfigTest, InClusterWithoutTheTokenFileIsAnError) {
  write("serviceaccount/ca.crt", "CA");
  env_["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
  env_["KUBERNETES_SERVICE_PORT"] = "443";
  Outcome<RestConfig> config = load_config(sources());
  ASSERT_FALSE(config);
  EXPECT_NE(config.status().message().find("/token is missing"), std::string::npos);
}

TEST_F(ConfigTest, NoConfigurationAtAllIsNotFound) {
  env_["HOME"] = dir_ + "/no-home";
  Outcome<RestConfig> config = load_config(sources());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.status().code(), Code::kNotFound);
  EXPECT_NE(config.status().message().find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

TEST(Base64Test, DecodesStandardAlphabetWithOrWithoutPadding) {
  EXPECT_EQ(decode_base64("aGVsbG8="), "hello");
  EXPECT_EQ(decode_base64("aGVsbG8"), "hello");
  EXPECT_EQ(decode_base64("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_EQ(decode_base64("a"), std::nullopt);
  EXPECT_EQ(decode_base64("aGV*"), std::nullopt);
  EXPECT_EQ(decode_base64("aG=Vs"), std::nullopt);
}

TEST_F(ConfigTest, TokenFileIsRereadAfterTheIntervalOrAnUnauthorized) {
  RestConfig config;
  config.token = "static";
  config.token_file = write("token", "first\n");
  // A long interval: only a 401 makes it look again.
  Outcome<std::shared_ptr<BearerToken>> slow =
      BearerToken::from_config(config, std::chrono::hours(1));
  ASSERT_TRUE(slow && *slow);
  EXPECT_EQ((*slow)->current(), "first");  // the file wins over the static token
  write("token", "second\n");
  EXPECT_EQ((*slow)->current(), "first");
  EXPECT_TRUE((*slow)->refresh_after_unauthorized());
  EXPECT_EQ((*slow)->current(), "second");
  EXPECT_FALSE((*slow)->refresh_after_unauthorized());  // unchanged: not worth a retry
  // No interval: every request sees the file as it is.
  Outcome<std::shared_ptr<BearerToken>> eager =
      BearerToken::from_config(config, std::chrono::milliseconds(0));
  ASSERT_TRUE(eager && *eager);
  write("token", "third");
  EXPECT_EQ((*eager)->current(), "third");
  // The file gone for an instant (a rotation by rename): the last good token stays.
  fs::remove(config.token_file);
  EXPECT_EQ((*eager)->current(), "third");
}

TEST_F(ConfigTest, StaticTokenAndNoToken) {
  RestConfig config;
  EXPECT_EQ(*BearerToken::from_config(config), nullptr);
  config.token = "abc";
  Outcome<std::shared_ptr<BearerToken>> token = BearerToken::from_config(config);
  ASSERT_TRUE(token && *token);
  EXPECT_EQ((*token)->current(), "abc");
  EXPECT_FALSE((*token)->refresh_after_unauthorized());
  config.token_file = dir_ + "/absent";
  Outcome<std::shared_ptr<BearerToken>> missing = BearerToken::from_config(config);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("absent"), std::string::npos);
}

}  // namespace
}  // namespace wsop::kube
