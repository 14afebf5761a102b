// The simulated Aether workspace API, as ../shared/providers/aether.md
// describes it: UUID ids, create nested under a project with `hardware`,
// flat PATCH, start/stop, asynchronous provisioning (creating -> starting ->
// running, machine_id and private_ip filled when running) with configurable
// delays, a configurable share of creates ending in `error`, optional idle
// auto-stop, and {"error": "..."} bodies. An omitted hardware field takes the
// account's default (SimOptions::default_hardware); hardware the account does
// not accept, and fields of the wrong JSON type, are 400s; a body that is not
// JSON is a 415.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/api.h"
#include "sim/core/auth.h"

namespace wsop::sim::aether {

// One workspace's hardware. The member defaults are the field defaults seed
// 003 documents (lines 27-45: "shared", 2, 2048, 10, null).
struct SimHardware {
  std::string cpu_kind = "shared";
  int cpus = 2;
  int memory_mb = 2048;
  std::int64_t volume_size_gb = 10;     // no documented upper limit
  std::optional<std::string> gpu_kind;  // null: no GPU
};

// What the simulated account accepts. aether.md: cpu_kind "shared" or
// "performance", cpus 1 to 8 and memory_mb 256 to 16384 are the values seen in
// the vendor's pages, not documented limits; seed 003 line 149 answers 400
// for an "invalid hardware configuration", so this account judges them. No
// vendor text caps volume_size_gb.
inline constexpr int kSimMinCpus = 1;
inline constexpr int kSimMaxCpus = 8;
inline constexpr int kSimMinMemoryMb = 256;
inline constexpr int kSimMaxMemoryMb = 16384;
inline constexpr std::int64_t kSimMinVolumeSizeGb = 1;

// Why the simulated account rejects `hardware`; nullopt when it accepts it.
std::optional<std::string> hardware_problem(const SimHardware& hardware);

// Besides the bearer tokens (sim::AuthConfig).
struct SimOptions {
  // The account's default hardware: a create that omits `hardware`, or a
  // field of it, gets these values ("Uses your default hardware settings if
  // omitted", seed 003 line 24).
  SimHardware default_hardware;
  std::vector<std::string> projects{"00000000-0000-4000-8000-000000000001"};
  std::chrono::milliseconds creating_delay{1000};  // creating -> starting (or error)
  std::chrono::milliseconds starting_delay{1000};  // starting -> running
  std::chrono::milliseconds stopping_delay{500};   // stopping -> stopped
  double error_rate = 0;                           // share of creates that end in `error`
  std::chrono::milliseconds idle_stop{0};  // running -> stopped when !keep_active; 0 = never
};

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options);

}  // namespace wsop::sim::aether
