// Counts of calls per operation and outcome, for GET /_sim/stats. The outcome
// is the HTTP status ("201") or, when no answer was sent, the fault
// ("reset", "hang", "dropped"). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wsop::sim {

class CallStats {
 public:
  void record(std::string_view operation, std::string_view outcome);
  void clear();
  // {"calls": {"create": {"201": 3, "dropped": 1}, ...}, "total": 4}
  nlohmann::json to_json() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::uint64_t, std::less<>>, std::less<>> calls_;
  std::uint64_t total_ = 0;
};

}  // namespace wsop::sim
