// A tiny synchronous HTTP/1.1 client (Boost.Beast) for the simulator tests:
// one keep-alive connection, reopened when the server closed it, optional TLS
// without verification. It reports how a request failed, because the fault
// tests need to tell a reset from a clean close from a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace wsop::simtest {

enum class Failure { kNone, kConnect, kReset, kClosed, kTimeout, kOther };
const char* failure_name(Failure failure);

struct Reply {
  int status = 0;  // 0 when the request failed
  Failure failure = Failure::kNone;
  std::string error;                           // the failure's message
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::chrono::milliseconds elapsed{0};

  nlohmann::json json() const;  // null when the body is not JSON
  std::string header(const std::string& name) const;
};

class Client {
 public:
  // base: "http://127.0.0.1:P" or "https://127.0.0.1:P".
  explicit Client(const std::string& base, std::string token = "test-token");
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  void set_token(std::string token) { token_ = std::move(token); }  // "" sends none
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // Connections opened so far (keep-alive reuses one).
  int connections() const;

  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {});
  Reply get(const std::string& target) { return request("GET", target); }
  Reply del(const std::string& target) { return request("DELETE", target); }
  Reply post(const std::string& target, const nlohmann::json& body) {
    return request("POST", target, body.dump());
  }
  Reply patch(const std::string& target, const nlohmann::json& body) {
    return request("PATCH", target, body.dump());
  }
  Reply put(const std::string& target, const nlohmann::json& body) {
    return request("PUT", target, body.dump());
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string token_;
  std::chrono::milliseconds timeout_{5000};
};

}  // namespace wsop::simtest
