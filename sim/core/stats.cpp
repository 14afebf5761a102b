#include "sim/core/stats.h"

namespace wsop::sim {

void CallStats::record(std::string_view operation, std::string_view outcome) {
  std::lock_guard lock(mu_);
  auto op = calls_.find(operation);
  if (op == calls_.end()) op = calls_.emplace(std::string(operation), decltype(op->second)()).first;
  auto count = op->second.find(outcome);
  if (count == op->second.end()) count = op->second.emplace(std::string(outcome), 0).first;
  ++count->second;
  ++total_;
}

void CallStats::clear() {
  std::lock_guard lock(mu_);
  calls_.clear();
  total_ = 0;
}

nlohmann::json CallStats::to_json() const {
  std::lock_guard lock(mu_);
  nlohmann::json calls = nlohmann::json::object();
  for (const auto& [operation, outcomes] : calls_) {
    for (const auto& [outcome, count] : outcomes) calls[operation][outcome] = count;
  }
  return {{"calls", calls}, {"total", total_}};
}

}  // namespace wsop::sim
