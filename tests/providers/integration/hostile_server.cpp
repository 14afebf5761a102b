#include "tests/providers/integration/hostile_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wsop::itest {
namespace {

constexpr int kSliceMs = 20;  // how often blocked loops look at stopping_
constexpr size_t kMaxRequestHead = 1 << 20;

// Splits "METHOD target HTTP/1.1\r\nName: value\r\n..." (without the blank line).
RawRequest parse_head(const std::string& head) {
  RawRequest request;
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.find(' ', sp1 + 1);
  if (sp1 != std::string::npos) {
    request.method = first.substr(0, sp1);
    request.target = first.substr(sp1 + 1, sp2 == std::string::npos ? sp2 : sp2 - sp1 - 1);
  }
  for (size_t at = line_end; at != std::string::npos && at + 2 < head.size();) {
    size_t next = head.find("\r\n", at + 2);
    std::string line = head.substr(at + 2, next == std::string::npos ? next : next - at - 2);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t value = line.find_first_not_of(' ', colon + 1);
      request.headers[http::lower(line.substr(0, colon))] =
          value == std::string::npos ? "" : line.substr(value);
    }
    at = next;
  }
  return request;
}

}  // namespace

HostileServer::HostileServer(Handler handler) : handler_(std::move(handler)) {}

HostileServer::~HostileServer() {
  stop();
}

Status HostileServer::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    return Status::error(Code::kInternal, "socket: " + std::string(strerror(errno)));
  }
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Status::error(Code::kInternal, "bind/listen: " + std::string(strerror(errno)));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return Status::ok();
}

void HostileServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  reap(/*all=*/true);
}

// Joins the connection threads that are done (or all of them).
void HostileServer::reap(bool all) {
  std::vector<Worker> finished;
  {
    std::lock_guard lock(mu_);
    auto split = std::partition(workers_.begin(), workers_.end(),
                                [all](const Worker& w) { return !all && !*w.done; });
    std::move(split, workers_.end(), std::back_inserter(finished));
    workers_.erase(split, workers_.end());
  }
  for (auto& w : finished) w.thread.join();
}

void HostileServer::accept_loop() {
  while (!stopping_) {
    if (!wait_for(listen_fd_, POLLIN)) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    reap(/*all=*/false);
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mu_);
    workers_.push_back({std::thread([this, fd, done] {
                          serve(fd);
                          *done = true;
                        }),
                        done});
  }
}

// Polls in short slices until fd is ready or the server stops.
bool HostileServer::wait_for(int fd, short events) {
  while (!stopping_) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, kSliceMs);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
  return false;
}

bool HostileServer::send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    if (!wait_for(fd, POLLOUT)) return false;
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Reads one request (head and Content-Length body) from fd into request.
bool HostileServer::read_request(int fd, std::string& buffer, RawRequest& request) {
  size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > kMaxRequestHead || !wait_for(fd, POLLIN)) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  request = parse_head(buffer.substr(0, head_end));
  size_t body = 0;
  if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
    body = std::strtoul(it->second.c_str(), nullptr, 10);
  }
  while (buffer.size() < head_end + 4 + body) {
    if (!wait_for(fd, POLLIN)) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  buffer.erase(0, head_end + 4 + body);
  return true;
}

void HostileServer::serve(int fd) {
  std::string buffer;
  RawRequest request;
  while (read_request(fd, buffer, request)) {
    auto reply = handler_(request);
    if (!reply || !deliver(fd, *reply)) break;
  }
  ::close(fd);
}

// Acts out a reply; true when the connection stays usable for another request.
bool HostileServer::deliver(int fd, const HostileReply& reply) {
  switch (reply.delivery) {
    case Delivery::kRespond: return send_all(fd, reply.bytes.data(), reply.bytes.size());
    case Delivery::kClose:
      send_all(fd, reply.bytes.data(), reply.bytes.size());
      ::shutdown(fd, SHUT_WR);
      return false;
    case Delivery::kReset: {
      send_all(fd, reply.bytes.data(), reply.bytes.size());
      linger hard{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      return false;
    }
    case Delivery::kHang:
      if (send_all(fd, reply.bytes.data(), reply.bytes.size())) hang(fd);
      return false;
    case Delivery::kTrickle:
      if (trickle(fd, reply)) ::shutdown(fd, SHUT_WR);
      return false;
  }
  return false;
}

// Keeps the connection open, writing nothing, until the peer or stop() ends it.
void HostileServer::hang(int fd) {
  char chunk[4096];
  while (wait_for(fd, POLLIN)) {
    if (::recv(fd, chunk, sizeof chunk, 0) <= 0) return;
  }
}

// Slowloris: one byte per interval, so that only a deadline on the whole
// exchange (not one per read) ends the client's wait.
bool HostileServer::trickle(int fd, const HostileReply& reply) {
  size_t head = std::min(reply.trickle_from, reply.bytes.size());
  if (!send_all(fd, reply.bytes.data(), head)) return false;
  for (size_t at = head; at < reply.bytes.size(); ++at) {
    auto until = std::chrono::steady_clock::now() + reply.trickle_interval;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping_) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(kSliceMs));
    }
    if (!send_all(fd, reply.bytes.data() + at, 1)) return false;
  }
  return true;
}

}  // namespace wsop::itest
