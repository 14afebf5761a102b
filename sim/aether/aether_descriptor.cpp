#include "sim/aether/aether_descriptor.h"

#include <charconv>
#include <sstream>

#include "common/duration.h"
#include "sim/core/config_fields.h"
#include "sim/core/ids.h"

namespace wsop::sim::aether {
namespace {

// {cpuKind, cpus, memoryMb, volumeSizeGb}, any subset, over *hw; the result
// must be hardware the simulated account accepts.
Status read_default_hardware(const YAML::Node& node, const std::string& path, SimHardware* hw) {
  if (Status s = check_config_keys(node, path, {"cpuKind", "cpus", "memoryMb", "volumeSizeGb"}); !s)
    return s;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>(), p = path + "." + key;
    Status s = key == "cpuKind"    ? read_config_field(item.second, p, &hw->cpu_kind)
               : key == "cpus"     ? read_config_field(item.second, p, &hw->cpus)
               : key == "memoryMb" ? read_config_field(item.second, p, &hw->memory_mb)
                                   : read_config_field(item.second, p, &hw->volume_size_gb);
    if (!s) return s;
  }
  if (std::optional<std::string> problem = hardware_problem(*hw)) {
    return config_error(path, *problem);
  }
  return Status::ok();
}

Status read_key(const std::string& key, const YAML::Node& value, const std::string& path,
                SimulatorConfig& section) {
  SimOptions& a = section.options_as<SimOptions>();
  if (key == "creatingDelay") return read_config_duration(value, path, &a.creating_delay);
  if (key == "startingDelay") return read_config_duration(value, path, &a.starting_delay);
  if (key == "stoppingDelay") return read_config_duration(value, path, &a.stopping_delay);
  if (key == "idleStop") return read_config_duration(value, path, &a.idle_stop);
  if (key == "defaultHardware") return read_default_hardware(value, path, &a.default_hardware);
  if (key == "errorRate") {
    if (Status s = read_config_field(value, path, &a.error_rate); !s) return s;
    if (a.error_rate < 0 || a.error_rate > 1) return config_error(path, "must be from 0 to 1");
    return Status::ok();
  }
  if (Status s = read_config_field(value, path, &a.projects); !s) return s;
  for (const std::string& p : a.projects) {
    if (!is_uuid(p)) return config_error(path, "\"" + p + "\" is not a UUID");
  }
  return Status::ok();
}

Status invalid_flag(const std::string& message) {
  return Status::error(Code::kInvalid, message);
}

template <class T>
bool parse_number(const std::string& text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// "cpu_kind=performance,cpus=4,memory_mb=4096,volume_size_gb=20", any subset,
// over the default; the result must be hardware the simulated account accepts.
Status apply_default_hardware(const FlagValue& value, SimulatorConfig& section) {
  SimHardware* hw = &section.options_as<SimOptions>().default_hardware;
  const std::string flag = "--aether-default-hardware: ";
  std::stringstream items(value.texts.front());
  std::string item;
  while (std::getline(items, item, ',')) {
    std::size_t eq = item.find('=');
    if (eq == std::string::npos)
      return invalid_flag(flag + "expected KEY=VALUE, got \"" + item + "\"");
    std::string key = item.substr(0, eq), text = item.substr(eq + 1);
    bool ok = true;
    if (key == "cpu_kind") {
      hw->cpu_kind = text;
    } else if (key == "cpus") {
      ok = parse_number(text, &hw->cpus);
    } else if (key == "memory_mb") {
      ok = parse_number(text, &hw->memory_mb);
    } else if (key == "volume_size_gb") {
      ok = parse_number(text, &hw->volume_size_gb);
    } else {
      return invalid_flag(flag + "unknown key \"" + key +
                          "\" (expected cpu_kind, cpus, memory_mb, volume_size_gb)");
    }
    if (!ok) return invalid_flag(flag + key + " must be an integer, got \"" + text + "\"");
  }
  if (std::optional<std::string> problem = hardware_problem(*hw)) {
    return invalid_flag(flag + *problem);
  }
  return Status::ok();
}

Status apply_projects(const FlagValue& value, SimulatorConfig& section) {
  SimOptions& a = section.options_as<SimOptions>();
  a.projects = value.texts;
  for (const std::string& p : a.projects) {
    if (!is_uuid(p)) return invalid_flag("--aether-project: not a UUID: " + p);
  }
  return Status::ok();
}

// A delay flag: "--aether-creating-delay 2s" into *field of the options.
SimulatorFlag delay_flag(const char* name, const char* help,
                         std::chrono::milliseconds SimOptions::*field) {
  return {name, SimulatorFlag::Kind::kText, help,
          [name, field](const FlagValue& value, SimulatorConfig& section) {
            Outcome<Millis> d = parse_duration(value.texts.front());
            if (!d) return d.status().with_context(std::string("--") + name);
            section.options_as<SimOptions>().*field = *d;
            return Status::ok();
          }};
}

Status apply_error_rate(const FlagValue& value, SimulatorConfig& section) {
  if (value.number < 0 || value.number > 1) {
    return invalid_flag("--aether-error-rate must be from 0 to 1");
  }
  section.options_as<SimOptions>().error_rate = value.number;
  return Status::ok();
}

// The account's default hardware is one the account accepts.
Status check(const SimulatorConfig& section) {
  if (std::optional<std::string> problem =
          hardware_problem(section.options_as<SimOptions>().default_hardware)) {
    return config_error("aether.defaultHardware", *problem);
  }
  return Status::ok();
}

}  // namespace

SimulatorDescriptor descriptor() {
  using Kind = SimulatorFlag::Kind;
  SimulatorDescriptor d;
  d.name = std::string(kName);
  d.title = "Aether";
  d.default_options = [] { return std::any(SimOptions()); };
  d.config_keys = {"projects",  "creatingDelay", "startingDelay",  "stoppingDelay",
                   "errorRate", "idleStop",      "defaultHardware"};
  d.read_config_key = read_key;
  d.flags = {
      {"aether-project", Kind::kTexts, "UUID of an Aether project, repeatable", apply_projects},
      delay_flag("aether-creating-delay", "creating -> starting (default 1s)",
                 &SimOptions::creating_delay),
      delay_flag("aether-starting-delay", "starting -> running (default 1s)",
                 &SimOptions::starting_delay),
      delay_flag("aether-stopping-delay", "stopping -> stopped (default 500ms)",
                 &SimOptions::stopping_delay),
      {"aether-error-rate", Kind::kNumber, "share of Aether creates ending in `error` (0..1)",
       apply_error_rate},
      delay_flag("aether-idle-stop",
                 "stop idle workspaces without keep_active after this long (default: never)",
                 &SimOptions::idle_stop),
      {"aether-default-hardware", Kind::kText,
       "the account's default hardware, any subset of "
       "cpu_kind=K,cpus=N,memory_mb=N,volume_size_gb=N (default shared,2,2048,10)",
       apply_default_hardware},
  };
  d.check = check;
  d.make = [](const SimulatorConfig& section) {
    return make_simulator(section.auth, section.options_as<SimOptions>());
  };
  return d;
}

SimOptions& options_of(SimConfig& config) {
  return config.at(kName).options_as<SimOptions>();
}

const SimOptions& options_of(const SimConfig& config) {
  return config.at(kName).options_as<SimOptions>();
}

}  // namespace wsop::sim::aether
