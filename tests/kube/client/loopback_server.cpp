#include "tests/kube/client/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace wsop::kubetest {
namespace {

std::string lower_ascii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  return text;
}

// Reads one request (head and Content-Length body) from fd into request;
// false when the peer closed or the server stops.
bool read_request(int fd, std::string& buffer, LoopbackRequest& request,
                  const std::atomic<bool>& stopping) {
  for (;;) {
    std::size_t end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = buffer.substr(0, end);
      std::size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      std::size_t space = first.find(' ');
      request.method = first.substr(0, space);
      request.target = first.substr(space + 1, first.rfind(' ') - space - 1);
      std::size_t pos = line_end;
      while (pos != std::string::npos && pos < head.size()) {
        std::size_t next = head.find("\r\n", pos + 2);
        std::string line =
            head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          request.headers[lower_ascii(line.substr(0, colon))] = value;
        }
        pos = next;
      }
      std::size_t length = 0;
      if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
        length = std::stoul(it->second);
      }
      if (buffer.size() >= end + 4 + length) {
        request.body = buffer.substr(end + 4, length);
        buffer.erase(0, end + 4 + length);
        return true;
      }
    }
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 50);
    if (stopping) return false;
    if (ready <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

bool LoopbackConnection::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Feed::push(std::string bytes) {
  std::lock_guard lock(mu_);
  items_.emplace_back(Kind::kData, std::move(bytes));
  cv_.notify_all();
}

void Feed::end() {
  std::lock_guard lock(mu_);
  items_.emplace_back(Kind::kEnd, "");
  cv_.notify_all();
}

void Feed::drop() {
  std::lock_guard lock(mu_);
  items_.emplace_back(Kind::kDrop, "");
  cv_.notify_all();
}

std::pair<Feed::Kind, std::string> Feed::pop(const std::atomic<bool>& stopping) {
  std::unique_lock lock(mu_);
  while (items_.empty()) {
    if (stopping) return {Kind::kStopped, ""};
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  auto item = std::move(items_.front());
  items_.pop_front();
  return item;
}

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {}

LoopbackServer::~LoopbackServer() {
  stop();
}

Status LoopbackServer::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return Status::error(Code::kInternal, std::string("listen: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return Status::ok();
}

void LoopbackServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::vector<LoopbackRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void LoopbackServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int number = ++connections_;
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd, number] { serve(fd, number); });
  }
}

void LoopbackServer::serve(int fd, int number) {
  std::string buffer;
  for (;;) {
    LoopbackRequest request;
    request.connection = number;
    if (!read_request(fd, buffer, request, stopping_)) break;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    LoopbackConnection connection(fd);
    handler_(request, connection);
    if (connection.closed()) break;
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

void LoopbackServer::stream(LoopbackConnection& connection, Feed& feed) const {
  connection.write(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (;;) {
    auto [kind, bytes] = feed.pop(stopping_);
    if (kind == Feed::Kind::kData) {
      connection.write(http_chunk(bytes));
    } else if (kind == Feed::Kind::kEnd) {
      connection.write("0\r\n\r\n");
      return;
    } else {
      connection.close();
      return;
    }
  }
}

std::string http_answer(int status, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  out +=
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n" + body;
}

std::string http_chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

}  // namespace wsop::kubetest
