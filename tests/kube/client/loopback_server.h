// A scriptable HTTP/1.1 server on 127.0.0.1 for the client's unit tests:
// each request goes to a handler that writes whatever bytes it wants on the
// connection (a whole answer, the head of a chunked stream then chunks as
// the test feeds them, or nothing before closing), so the tests see the
// transport's keep-alive, streaming, cancel and failure paths. Counts
// connections and records requests. Tests only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace wsop::kubetest {

struct LoopbackRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int connection = 0;  // 1 for the first connection accepted, and so on
};

class LoopbackConnection {
 public:
  explicit LoopbackConnection(int fd) : fd_(fd) {}
  bool write(std::string_view bytes);
  // Closes after the handler returns (no keep-alive).
  void close() { closed_ = true; }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

// Bytes a test hands to a streaming handler, in order.
class Feed {
 public:
  enum class Kind { kData, kEnd, kDrop, kStopped };
  void push(std::string bytes);
  void end();   // the final chunk: a clean end of the body
  void drop();  // close without the final chunk
  // Waits for the next item; kStopped once `stopping` turns true.
  std::pair<Kind, std::string> pop(const std::atomic<bool>& stopping);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Kind, std::string>> items_;
};

class LoopbackServer {
 public:
  using Handler = std::function<void(const LoopbackRequest&, LoopbackConnection&)>;
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();  // stop()s
  Status start();
  void stop();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  std::vector<LoopbackRequest> requests() const;
  const std::atomic<bool>& stopping() const { return stopping_; }
  // Streams the feed as a chunked 200 answer; returns when it ends.
  void stream(LoopbackConnection& connection, Feed& feed) const;

 private:
  void accept_loop();
  void serve(int fd, int number);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;       // guarded by mu_
  std::vector<int> open_fds_;              // guarded by mu_
  std::vector<LoopbackRequest> requests_;  // guarded by mu_
};

// A whole answer with Content-Length (and keep-alive).
std::string http_answer(int status, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
// One chunk of a chunked body.
std::string http_chunk(std::string_view data);

}  // namespace wsop::kubetest
