// TLS fails closed (issue 4, items 2 and 7): a certificate that does not
// verify, or names another host, is an error before any request reaches the
// server; insecureSkipVerify is the only way around it.
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

TEST_F(TlsIntegrationTest, VerifiesAgainstTheConfiguredCa) {
  for (auto type : {kParadigm, kCadenya, kAether}) {
    auto p = make(type);
    auto listed = p->list({});
    ASSERT_TRUE(listed) << provider_name(type) << ": " << why(listed);
  }
}

TEST_F(TlsIntegrationTest, WrongCaFailsClosedBeforeAnyRequest) {
  ASSERT_TRUE(other_cert().ok());
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.tls.ca_file = other_cert().cert_file();
    auto p = make(c);
    auto listed = p->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kInvalid) << why(listed);
    EXPECT_NE(listed.status().message().find("TLS handshake"), std::string::npos) << why(listed);
    // A create is refused the same way: nothing was sent, so not ambiguous.
    model::Workspace w = type == kParadigm  ? paradigm_ws("w")
                         : type == kCadenya ? cadenya_ws("w")
                                            : aether_ws("w");
    auto created = p->create(w);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
    EXPECT_EQ(total_calls(type), 0) << stats(type).dump();
  }
}

TEST_F(TlsIntegrationTest, SystemStoreDoesNotTrustTheSelfSignedCertificate) {
  model::ProviderConfig c = config(kAether);
  c.tls.ca_file.clear();
  auto p = make(c);
  auto got = p->get("x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kInvalid) << why(got);
  EXPECT_EQ(total_calls(kAether), 0);
}

TEST_F(TlsIntegrationTest, CertificateForAnotherNameFailsClosed) {
  // The certificate names 127.0.0.1 only; "localhost" reaches the same server.
  model::ProviderConfig c = config(kCadenya);
  std::string u = c.base_url;
  c.base_url = "https://localhost" + u.substr(u.rfind(':'));
  auto p = make(c);
  auto listed = p->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kInvalid) << why(listed);
  EXPECT_EQ(total_calls(kCadenya), 0);

  c.tls.insecure_skip_verify = true;
  p = make(c);
  listed = p->list({});
  EXPECT_TRUE(listed) << why(listed);
}

TEST_F(TlsIntegrationTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  for (auto type : {kParadigm, kCadenya, kAether}) {
    model::ProviderConfig c = config(type);
    c.tls.ca_file = other_cert().cert_file();
    c.tls.insecure_skip_verify = true;
    auto p = make(c);
    auto listed = p->list({});
    EXPECT_TRUE(listed) << why(listed);
    EXPECT_EQ(calls(type, "list", "200"), 1);
  }
}

TEST_F(TlsIntegrationTest, UnreadableCaFileIsAConfigurationError) {
  model::ProviderConfig c = config(kParadigm);
  c.tls.ca_file = "/nonexistent/ca.pem";
  auto made = providers::Registry::builtin().make(c, {kInstance, nullptr});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().code(), Code::kInvalid);
  EXPECT_NE(made.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

TEST_F(TlsIntegrationTest, PlainHttpClientAgainstTlsServerFails) {
  model::ProviderConfig c = config(kParadigm);
  c.base_url = "http://" + c.base_url.substr(std::string("https://").size());
  auto p = make(c);
  auto created = p->create(paradigm_ws("w"));
  ASSERT_FALSE(created);
  EXPECT_EQ(total_calls(kParadigm), 0);
}

}  // namespace
}  // namespace wsop::itest
