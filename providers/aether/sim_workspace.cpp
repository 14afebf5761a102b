#include "providers/aether/sim_workspace.h"
#include "controller/model/resource.h"

#include <cstdio>

#include "providers/sim/ids.h"

namespace wsop::aether::simdetail {
namespace {

using nlohmann::json;
using Error = std::optional<std::string>;

Error read_int(const json& object, const char* key, int min, int max, int* out) {
  if (!object.contains(key)) return std::nullopt;
  const json& v = object[key];
  if (!v.is_number_integer()) return std::string(key) + " must be an integer";
  auto value = v.get<long long>();
  if (value < min || value > max) {
    return std::string(key) + " must be between " + std::to_string(min) + " and " +
           std::to_string(max);
  }
  *out = static_cast<int>(value);
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
  if (object.contains("cpu_kind")) {
    const json& v = object["cpu_kind"];
    if (!v.is_string() || (v != "shared" && v != "performance")) {
      return "cpu_kind must be \"shared\" or \"performance\"";
    }
    hw->cpu_kind = v.get<std::string>();
  }
  if (Error e = read_int(object, "cpus", 1, 8, &hw->cpus)) return e;
  if (Error e = read_int(object, "memory_mb", 256, 16384, &hw->memory_mb)) return e;
  if (Error e = read_int(object, "volume_size_gb", model::kMinVolumeSizeGb, model::kMaxVolumeSizeGb,
                         &hw->volume_size_gb))
    return e;
  if (object.contains("gpu_kind")) {
    const json& v = object["gpu_kind"];
    if (v.is_null()) {
      hw->gpu_kind.reset();
    } else if (v.is_string() && !v.get<std::string>().empty()) {
      hw->gpu_kind = v.get<std::string>();
    } else {
      return "gpu_kind must be a non-empty string or null";
    }
  }
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

}  // namespace wsop::aether::simdetail
