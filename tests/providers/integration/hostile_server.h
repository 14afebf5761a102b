// A tiny HTTP/1.1 server over plain POSIX sockets that writes whatever bytes
// it is told to, the way a broken or hostile vendor (or the proxy in front of
// it) might: malformed status lines and chunking, answers that stop half way,
// resets, hangs, and slowloris answers sent one byte at a time. http::Server
// writes only well-formed, whole responses, hence this one (tests only).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/http/message.h"
#include "common/status.h"

namespace wsop::itest {

// What the server does after reading a request.
enum class Delivery {
  kRespond,  // write `bytes`, then read the next request on the connection (keep-alive)
  kClose,    // write `bytes` (possibly none), then close cleanly (FIN)
  kReset,    // write `bytes` (possibly none), then abort the connection (RST)
  kHang,     // write `bytes` (possibly none), then never write again
  kTrickle,  // write bytes[0, trickle_from) at once, the rest one byte per interval, then FIN
};

struct HostileReply {
  std::string bytes;  // exactly what goes on the wire
  Delivery delivery = Delivery::kRespond;
  size_t trickle_from = 0;
  std::chrono::milliseconds trickle_interval{300};
};

struct RawRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
};

class HostileServer {
 public:
  // Called on a connection thread for every request; must be thread-safe.
  using Handler = std::function<std::shared_ptr<const HostileReply>(const RawRequest&)>;

  explicit HostileServer(Handler handler);
  ~HostileServer();  // stop()s
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  Status start();  // listens on 127.0.0.1, a free port
  void stop();     // closes everything, joins every thread
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void accept_loop();
  void serve(int fd);
  bool deliver(int fd, const HostileReply& reply);
  bool read_request(int fd, std::string& buffer, RawRequest& request);
  bool wait_for(int fd, short events);
  bool send_all(int fd, const char* data, size_t size);
  bool trickle(int fd, const HostileReply& reply);
  void hang(int fd);
  void reap(bool all);

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<Worker> workers_;  // guarded by mu_
};

}  // namespace wsop::itest
