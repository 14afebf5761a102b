// kube/transport.h over TLS: verified against the configured CA (file or
// data), refused for a wrong CA, the system store or a wrong host name,
// unverified only when the configuration says so, and the client
// certificate presented to a server that demands one.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/http/server.h"
#include "kube/transport.h"
#include "tests/common/http/tls_files.h"

namespace wsop::kube {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_tls_.ok());
    http::ServerOptions options;
    options.tls_cert_file = server_tls_.cert_file();
    options.tls_key_file = server_tls_.key_file();
    server_ = std::make_unique<http::Server>(options, [](const http::Request&) {
      http::Response response;
      response.body = R"({"kind":"Status"})";
      return response;
    });
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override { server_->stop(); }

  Outcome<HttpResponse> get(RestConfig config) {
    if (config.server.empty()) config.server = server_->url();
    Outcome<std::shared_ptr<Transport>> transport = Transport::create(config);
    if (!transport) return transport.status();
    return (*transport)->round_trip({"GET", "/version", "", ""}, std::chrono::seconds(10));
  }

  simtest::TlsFiles server_tls_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(TlsTest, VerifiedAgainstTheConfiguredCaFileOrData) {
  RestConfig config;
  config.ca_file = server_tls_.cert_file();
  Outcome<HttpResponse> answer = get(config);
  ASSERT_TRUE(answer) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
  config.ca_file.clear();
  config.ca_data = read_text(server_tls_.cert_file());
  answer = get(config);
  ASSERT_TRUE(answer) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
}

TEST_F(TlsTest, RefusedForAWrongCa) {
  simtest::TlsFiles other;
  RestConfig config;
  config.ca_file = other.cert_file();
  Outcome<HttpResponse> answer = get(config);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kInvalid) << answer.status().to_string();
  EXPECT_NE(answer.status().message().find("TLS handshake"), std::string::npos);
}

TEST_F(TlsTest, RefusedAgainstTheSystemStoreWhenNoCaIsConfigured) {
  Outcome<HttpResponse> answer = get(RestConfig{});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kInvalid) << answer.status().to_string();
}

TEST_F(TlsTest, RefusedForAWrongHostName) {
  // The certificate names 127.0.0.1 only.
  RestConfig config;
  config.ca_file = server_tls_.cert_file();
  config.tls_server_name = "kubernetes.default.svc";
  Outcome<HttpResponse> answer = get(config);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kInvalid) << answer.status().to_string();
  config.tls_server_name.clear();
  config.server = "https://localhost:" + std::to_string(server_->port());
  answer = get(config);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.status().code(), Code::kInvalid) << answer.status().to_string();
}

TEST_F(TlsTest, UnverifiedOnlyWhenInsecureSkipVerifyIsSet) {
  RestConfig config;
  config.insecure_skip_tls_verify = true;
  config.server = "https://localhost:" + std::to_string(server_->port());
  Outcome<HttpResponse> answer = get(config);
  ASSERT_TRUE(answer) << answer.status().to_string();
  EXPECT_EQ(answer->status, 200);
}

TEST_F(TlsTest, AnUnreadableCaFailsClosedAtCreation) {
  RestConfig config;
  config.server = server_->url();
  config.ca_file = "/nonexistent/ca.pem";
  Outcome<std::shared_ptr<Transport>> transport = Transport::create(config);
  ASSERT_FALSE(transport);
  EXPECT_EQ(transport.status().code(), Code::kInvalid);
  config.ca_file.clear();
  config.ca_data = "not a certificate";
  EXPECT_FALSE(Transport::create(config));
}

// A TLS server that demands a client certificate signed by `client_ca` and
// answers with the subject it saw.
class MutualTlsServer {
 public:
  MutualTlsServer(const simtest::TlsFiles& server, const simtest::TlsFiles& client_ca)
      : context_(boost::asio::ssl::context::tls_server), acceptor_(io_) {
    namespace ssl = boost::asio::ssl;
    context_.use_certificate_chain_file(server.cert_file());
    context_.use_private_key_file(server.key_file(), ssl::context::pem);
    context_.load_verify_file(client_ca.cert_file());
    context_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    using tcp = boost::asio::ip::tcp;
    tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~MutualTlsServer() {
    stopping_ = true;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket poke(io);
    boost::system::error_code ec;
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    namespace beast = boost::beast;
    while (!stopping_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      beast::ssl_stream<boost::asio::ip::tcp::socket> stream(std::move(socket), context_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) continue;
      beast::flat_buffer buffer;
      beast::http::request<beast::http::string_body> request;
      beast::http::read(stream, buffer, request, ec);
      if (ec) continue;
      std::string subject = "none";
      if (X509* peer = SSL_get_peer_certificate(stream.native_handle())) {
        char name[256];
        X509_NAME_oneline(X509_get_subject_name(peer), name, sizeof(name));
        subject = name;
        X509_free(peer);
      }
      beast::http::response<beast::http::string_body> response{beast::http::status::ok, 11};
      response.body() = subject;
      response.keep_alive(false);
      response.prepare_payload();
      beast::http::write(stream, response, ec);
      stream.shutdown(ec);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

TEST(MutualTlsTest, ClientCertificateFromFilesOrDataIsPresented) {
  simtest::TlsFiles server_tls, client_tls;
  ASSERT_TRUE(server_tls.ok() && client_tls.ok());
  MutualTlsServer server(server_tls, client_tls);
  RestConfig config;
  config.server = server.url();
  config.ca_file = server_tls.cert_file();
  // Without a certificate the server refuses the handshake.
  Outcome<std::shared_ptr<Transport>> bare = Transport::create(config);
  ASSERT_TRUE(bare);
  EXPECT_FALSE((*bare)->round_trip({"GET", "/", "", ""}, std::chrono::seconds(10)));
  for (bool as_data : {false, true}) {
    RestConfig with_cert = config;
    if (as_data) {
      with_cert.client_cert_data = read_text(client_tls.cert_file());
      with_cert.client_key_data = read_text(client_tls.key_file());
    } else {
      with_cert.client_cert_file = client_tls.cert_file();
      with_cert.client_key_file = client_tls.key_file();
    }
    Outcome<std::shared_ptr<Transport>> transport = Transport::create(with_cert);
    ASSERT_TRUE(transport) << transport.status().to_string();
    Outcome<HttpResponse> answer =
        (*transport)->round_trip({"GET", "/", "", ""}, std::chrono::seconds(10));
    ASSERT_TRUE(answer) << answer.status().to_string();
    EXPECT_EQ(answer->status, 200);
    EXPECT_NE(answer->body.find("CN=127.0.0.1"), std::string::npos) << answer->body;
  }
}

TEST(MutualTlsTest, AKeyThatCannotBeLoadedNeverAppearsInTheMessage) {
  RestConfig config;
  config.server = "https://127.0.0.1:1";
  config.insecure_skip_tls_verify = true;
  simtest::TlsFiles client_tls;
  config.client_cert_data = read_text(client_tls.cert_file());
  config.client_key_data = "SECRET-KEY-BYTES";
  Outcome<std::shared_ptr<Transport>> transport = Transport::create(config);
  ASSERT_FALSE(transport);
  EXPECT_EQ(transport.status().message().find("SECRET-KEY-BYTES"), std::string::npos);
}

}  // namespace
}  // namespace wsop::kube
