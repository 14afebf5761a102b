// The simulated Aether workspace API, as ../shared/providers/aether.md
// describes it: UUID ids, create nested under a project with `hardware`,
// flat PATCH, start/stop, asynchronous provisioning (creating -> starting ->
// running, machine_id and private_ip filled when running) with configurable
// delays, a configurable share of creates ending in `error`, optional idle
// auto-stop, and {"error": "..."} bodies.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "providers/sim/api.h"
#include "providers/sim/auth.h"

namespace wsop::aether {

struct SimOptions {
  sim::AuthConfig auth;
  std::vector<std::string> projects{"00000000-0000-4000-8000-000000000001"};
  std::chrono::milliseconds creating_delay{1000};  // creating -> starting (or error)
  std::chrono::milliseconds starting_delay{1000};  // starting -> running
  std::chrono::milliseconds stopping_delay{500};   // stopping -> stopped
  double error_rate = 0;                           // share of creates that end in `error`
  std::chrono::milliseconds idle_stop{0};  // running -> stopped when !keep_active; 0 = never
};

std::unique_ptr<sim::Api> make_simulator(SimOptions options);

}  // namespace wsop::aether
