// The parts of common/http/server.cpp that keep hostile clients from
// costing more than bounded resources, apart from the sessions: the
// connection cap derived from RLIMIT_NOFILE, the recognition of descriptor
// exhaustion, the 503 answer of a shed connection, and throttled warnings.
// Internal to the server; see server.h for the contract.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace wsop::http::detail {

// wanted, lowered so that `reserve` descriptors (at most half of the soft
// RLIMIT_NOFILE) stay free for the rest of the process; at least 1.
std::size_t connection_cap(std::size_t wanted, std::size_t reserve);

// EMFILE, ENFILE, ENOBUFS or ENOMEM from accept: retrying at once fails
// again (the listening socket stays readable), so the caller waits first.
bool out_of_descriptors(int errno_value);

// Writes a short 503 on a connected socket without blocking (whatever the
// socket buffer takes), then leaves the close to the caller.
void write_unavailable(int fd);

enum class GuardEvent { kEvicted, kShed, kOutOfDescriptors };

// Counts the events and says, at most once per interval, what happened since
// the last warning. Not thread-safe: the acceptor's strand owns it.
class GuardWarnings {
 public:
  using Clock = std::chrono::steady_clock;
  std::optional<std::string> note(GuardEvent event, std::chrono::milliseconds interval,
                                  Clock::time_point now = Clock::now());

 private:
  std::uint64_t evicted_ = 0, shed_ = 0, exhausted_ = 0;
  std::optional<Clock::time_point> last_;
};

}  // namespace wsop::http::detail
