// A plain HTTP proxy in front of one simulated API whose first creates
// commit late: the POST gets no answer (the client's request timeout
// fires), and the proxy sends it on to the simulator only `commit_after`
// later, as a slow server commits a create after the client gave up. Every
// other request is passed through at once.
//
// The simulator's own latencyMs fault cannot show this: it commits first and
// only delays the answer, so a lookup right after the timeout already finds
// the workspace.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/http/server.h"
#include "tests/common/http/test_client.h"

namespace wsop::itest {

class LateCommitProxy {
 public:
  // upstream: the simulated API's base URL (plain HTTP).
  LateCommitProxy(std::string upstream, std::chrono::milliseconds commit_after,
                  int late_creates = 1)
      : upstream_(std::move(upstream)),
        commit_after_(commit_after),
        late_left_(late_creates),
        server_(http::ServerOptions{}, [this](const http::Request& r) { return handle(r); }) {}

  ~LateCommitProxy() {
    server_.stop(std::chrono::milliseconds(200));
    std::lock_guard lock(mu_);
    for (auto& t : committers_) t.join();
  }

  Status start() { return server_.start(); }
  std::string url() const { return server_.url(); }
  // Late creates the proxy has sent on to the simulator so far.
  int committed_late() const { return committed_late_; }

 private:
  http::Response handle(const http::Request& request) {
    if (request.method == "POST" && late_left_.fetch_sub(1) > 0) {
      std::lock_guard lock(mu_);
      committers_.emplace_back([this, request] {
        std::this_thread::sleep_for(commit_after_);
        forward(request);
        ++committed_late_;
      });
      http::Response hang;
      hang.disposition = http::Disposition::kHang;
      return hang;
    }
    return forward(request);
  }

  // A fresh connection per request: the handler runs on several threads.
  http::Response forward(const http::Request& request) const {
    simtest::Client client(upstream_, "");
    std::vector<std::pair<std::string, std::string>> headers;
    if (auto auth = request.header("authorization")) headers.emplace_back("Authorization", *auth);
    simtest::Reply reply = client.request(request.method, request.target, request.body, headers);
    http::Response response;
    if (reply.status == 0) {
      response.disposition = http::Disposition::kReset;
      return response;
    }
    response.status = reply.status;
    response.body = reply.body;
    std::string type = reply.header("content-type");
    if (!type.empty()) response.content_type = type;
    std::string retry_after = reply.header("retry-after");
    if (!retry_after.empty()) response.set_header("Retry-After", retry_after);
    return response;
  }

  std::string upstream_;
  std::chrono::milliseconds commit_after_;
  std::atomic<int> late_left_;
  std::atomic<int> committed_late_{0};
  std::mutex mu_;
  std::vector<std::thread> committers_;
  http::Server server_;
};

}  // namespace wsop::itest
