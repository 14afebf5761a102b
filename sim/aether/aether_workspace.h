// The workspace record of the simulated Aether API: hardware validation and
// the time-driven lifecycle. Status is advanced lazily, when a request looks
// at a workspace, so no background thread is needed. Internal to
// sim/aether/*.cpp.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/aether/aether_sim.h"

namespace wsop::sim::aether::internal {

using Clock = std::chrono::system_clock;

using Hardware = SimHardware;

struct Workspace {
  std::string id;
  std::string project_id;
  std::string status = "creating";
  Hardware hardware;
  bool keep_active = false;
  std::optional<std::string> machine_id;
  std::optional<std::string> private_ip;
  std::optional<std::string> error_message;
  std::string preview_token;
  bool fails = false;       // provisioning ends in `error` (decided at create)
  Clock::time_point since;  // when the current status began, or the last activity
  Clock::time_point created;
  Clock::time_point updated;
  bool deleted = false;
};

// Overrides *hw with the hardware fields present in `object` (the nested
// create `hardware` or the flat PATCH body); an error message when a field
// is not of the type seed 003 gives it (lines 27-45; only gpu_kind may be
// null) or the account does not accept the result (hardware_problem).
std::optional<std::string> read_hardware(const nlohmann::json& object, Hardware* hw);

// Moves w through every transition due by `now`. `machine_number` numbers
// the machines handed out (machine_id, private_ip).
void advance(Workspace& w, const SimOptions& options, Clock::time_point now,
             std::uint64_t& machine_number);

nlohmann::json to_json(const Workspace& w);

}  // namespace wsop::sim::aether::internal
