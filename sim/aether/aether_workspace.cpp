#include "sim/aether/aether_workspace.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "sim/core/ids.h"

namespace wsop::sim::aether {

std::optional<std::string> hardware_problem(const SimHardware& hw) {
  // cpu_kind is judged, then echoed back as sent (aether.md: "read any
  // cpu_kind string back as it is").
  if (hw.cpu_kind != "shared" && hw.cpu_kind != "performance") {
    return "cpu_kind must be \"shared\" or \"performance\"";
  }
  auto between = [](const char* key, std::int64_t value, std::int64_t min,
                    std::int64_t max) -> std::optional<std::string> {
    if (value >= min && value <= max) return std::nullopt;
    return std::string(key) + " must be between " + std::to_string(min) + " and " +
           std::to_string(max);
  };
  if (auto e = between("cpus", hw.cpus, kSimMinCpus, kSimMaxCpus)) return e;
  if (auto e = between("memory_mb", hw.memory_mb, kSimMinMemoryMb, kSimMaxMemoryMb)) return e;
  if (hw.volume_size_gb < kSimMinVolumeSizeGb) {
    return "volume_size_gb must be at least " + std::to_string(kSimMinVolumeSizeGb);
  }
  return std::nullopt;
}

namespace internal {
namespace {

using nlohmann::json;
using Error = std::optional<std::string>;

// An integer field: seed 003 types cpus, memory_mb and volume_size_gb as
// integers, so null, strings, booleans and fractions are 400s.
Error read_int(const json& object, const char* key, std::int64_t* out) {
  if (!object.contains(key)) return std::nullopt;
  const json& v = object[key];
  if (!v.is_number_integer()) return std::string(key) + " must be an integer";
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::string(key) + " is too large";
  }
  *out = v.get<std::int64_t>();
  return std::nullopt;
}

// cpus and memory_mb are clamped, not wrapped, when narrowed to int, so a
// huge value still fails hardware_problem's range check.
Error read_small_int(const json& object, const char* key, int* out) {
  std::int64_t value = *out;
  if (Error e = read_int(object, key, &value)) return e;
  *out = static_cast<int>(std::clamp<std::int64_t>(value, std::numeric_limits<int>::min(),
                                                   std::numeric_limits<int>::max()));
  return std::nullopt;
}

// A string field; gpu_kind alone may be null (its documented default).
Error read_string(const json& object, const char* key, bool nullable,
                  std::optional<std::string>* out) {
  if (!object.contains(key)) return std::nullopt;
  const json& v = object[key];
  if (v.is_null() && nullable) {
    out->reset();
    return std::nullopt;
  }
  if (!v.is_string()) {
    return std::string(key) + (nullable ? " must be a string or null" : " must be a string");
  }
  *out = v.get<std::string>();
  return std::nullopt;
}

std::string machine_id(std::uint64_t n) {
  char out[32];
  std::snprintf(out, sizeof out, "%014llx",
                static_cast<unsigned long long>(0x3d8d9e1c000000ULL + n * 0x9e3779b1ULL));
  return out;
}

std::string private_ip(std::uint64_t n) {
  return "10." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "." +
         std::to_string(n & 255);
}

json nullable(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

Error read_hardware(const json& object, Hardware* hw) {
  if (!object.is_object()) return "hardware must be an object";
  Hardware out = *hw;
  std::optional<std::string> cpu_kind = out.cpu_kind;
  if (Error e = read_string(object, "cpu_kind", /*nullable=*/false, &cpu_kind)) return e;
  out.cpu_kind = *cpu_kind;
  if (Error e = read_small_int(object, "cpus", &out.cpus)) return e;
  if (Error e = read_small_int(object, "memory_mb", &out.memory_mb)) return e;
  if (Error e = read_int(object, "volume_size_gb", &out.volume_size_gb)) return e;
  if (Error e = read_string(object, "gpu_kind", /*nullable=*/true, &out.gpu_kind)) return e;
  if (Error e = hardware_problem(out)) return e;
  *hw = std::move(out);
  return std::nullopt;
}

// One step at a time, each starting when the previous one was due, so a
// workspace looked at late has the timestamps it would have had.
void advance(Workspace& w, const SimOptions& options, Clock::time_point now,
             std::uint64_t& machine_number) {
  for (;;) {
    Clock::time_point due;
    if (w.status == "creating") {
      due = w.since + options.creating_delay;
      if (now < due) return;
      w.status = w.fails ? "error" : "starting";
      if (w.fails) w.error_message = "provisioning failed: no capacity for the requested hardware";
    } else if (w.status == "starting") {
      due = w.since + options.starting_delay;
      if (now < due) return;
      w.status = "running";
      if (!w.machine_id) {
        ++machine_number;
        w.machine_id = machine_id(machine_number);
        w.private_ip = private_ip(machine_number);
      }
    } else if (w.status == "stopping") {
      due = w.since + options.stopping_delay;
      if (now < due) return;
      w.status = "stopped";
    } else if (w.status == "running" && !w.keep_active && options.idle_stop.count() > 0) {
      due = w.since + options.idle_stop;
      if (now < due) return;
      w.status = "stopped";
    } else {
      return;
    }
    w.since = due;
    w.updated = due;
  }
}

json to_json(const Workspace& w) {
  return {{"id", w.id},
          {"project_id", w.project_id},
          {"status", w.status},
          {"hardware",
           {{"cpu_kind", w.hardware.cpu_kind},
            {"cpus", w.hardware.cpus},
            {"memory_mb", w.hardware.memory_mb},
            {"volume_size_gb", w.hardware.volume_size_gb},
            {"gpu_kind", nullable(w.hardware.gpu_kind)}}},
          {"keep_active", w.keep_active},
          {"machine_id", nullable(w.machine_id)},
          {"private_ip", nullable(w.private_ip)},
          {"git_ref", nullptr},
          {"preview_token", w.preview_token},
          {"error_message", nullable(w.error_message)},
          {"created_at", sim::format_time(w.created, 0)},
          {"updated_at", sim::format_time(w.updated, 0)}};
}

}  // namespace internal
}  // namespace wsop::sim::aether
