#include "common/http/server_guard.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "common/http/server.h"

namespace wsop::http {
namespace detail {

std::size_t connection_cap(std::size_t wanted, std::size_t reserve) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return std::max<std::size_t>(1, wanted);
  }
  auto soft = static_cast<std::size_t>(limit.rlim_cur);
  std::size_t kept = std::min(reserve, soft / 2);
  return std::max<std::size_t>(1, std::min(wanted, soft - kept));
}

bool out_of_descriptors(int errno_value) {
  return errno_value == EMFILE || errno_value == ENFILE || errno_value == ENOBUFS ||
         errno_value == ENOMEM;
}

void write_unavailable(int fd) {
  static constexpr char kAnswer[] =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
      "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n";
  // Best effort: a fresh socket's buffer takes it whole; a short or failed
  // send only leaves the close to speak for itself.
  [[maybe_unused]] ssize_t sent =
      ::send(fd, kAnswer, sizeof kAnswer - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

std::optional<std::string> GuardWarnings::note(GuardEvent event, std::chrono::milliseconds interval,
                                               Clock::time_point now) {
  switch (event) {
    case GuardEvent::kEvicted: ++evicted_; break;
    case GuardEvent::kShed: ++shed_; break;
    case GuardEvent::kOutOfDescriptors: ++exhausted_; break;
  }
  if (last_ && now - *last_ < interval) return std::nullopt;
  last_ = now;
  std::string message = "HTTP server under connection pressure:";
  if (evicted_)
    message += " " + std::to_string(evicted_) + " waiting connections evicted at the cap;";
  if (shed_) message += " " + std::to_string(shed_) + " connections shed (503);";
  if (exhausted_) {
    message += " accept failed " + std::to_string(exhausted_) +
               " times for lack of descriptors (backing off);";
  }
  message.pop_back();
  evicted_ = shed_ = exhausted_ = 0;
  return message;
}

}  // namespace detail

Outcome<DescriptorLimit> raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return Status::error(Code::kInternal, "getrlimit(RLIMIT_NOFILE) failed");
  }
  DescriptorLimit out{limit.rlim_cur, limit.rlim_cur, limit.rlim_max};
  if (limit.rlim_cur == limit.rlim_max) return out;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return Status::error(Code::kInternal, "setrlimit(RLIMIT_NOFILE) to the hard limit failed");
  }
  out.soft = limit.rlim_cur;
  return out;
}

}  // namespace wsop::http
