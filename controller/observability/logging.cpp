#include "controller/observability/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace wsop::observability {
namespace {

// Set once by setup_logging before any thread logs; read-only afterwards.
LogFormat& format_setting() {
  static LogFormat format = LogFormat::kText;
  return format;
}

std::string render(spdlog::level::level_enum level, const std::string& message,
                   const std::map<std::string, std::string>& fields) {
  if (format_setting() == LogFormat::kJson) {
    nlohmann::ordered_json line = {{"level", spdlog::level::to_string_view(level).data()},
                                   {"msg", message}};
    for (const auto& [k, v] : fields) line[k] = v;
    // The pattern opens the object with the time; continue it after the brace.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(1);
  }
  std::string out = message;
  for (const auto& [k, v] : fields) {
    bool quote = v.find_first_of(" \"=") != std::string::npos || v.empty();
    out += " " + k + "=" + (quote ? nlohmann::json(v).dump() : v);
  }
  return out;
}

void log(spdlog::level::level_enum level, const std::string& message,
         const std::map<std::string, std::string>& fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", render(level, message, fields));
}

}  // namespace

Status setup_logging(LogFormat format, const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Status::error(Code::kInvalid, "unknown log level \"" + level +
                                             "\" (trace, debug, info, warn, error, critical, off)");
  }
  format_setting() = format;
  auto logger = spdlog::stderr_logger_mt("wsctl");
  // JSON lines carry the time and level themselves.
  logger->set_pattern(format == LogFormat::kJson ? "{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",%v"
                                                 : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return Status::ok();
}

void log_info(const std::string& m, const std::map<std::string, std::string>& f) {
  log(spdlog::level::info, m, f);
}
void log_warn(const std::string& m, const std::map<std::string, std::string>& f) {
  log(spdlog::level::warn, m, f);
}
void log_error(const std::string& m, const std::map<std::string, std::string>& f) {
  log(spdlog::level::err, m, f);
}

void LogEvents::on_event(const reconcile::Event& event) {
  std::map<std::string, std::string> fields = {{"workspace", event.key.to_string()},
                                               {"providerConfig", event.provider_config},
                                               {"event", reconcile::to_string(event.type)}};
  if (!event.message.empty()) fields["detail"] = event.message;
  bool problem = event.type == reconcile::EventType::kFailed ||
                 event.type == reconcile::EventType::kCreatePendingUnresolved ||
                 event.type == reconcile::EventType::kProvisioningFailed ||
                 event.type == reconcile::EventType::kReplaceRequired;
  if (problem) {
    log_warn("workspace " + std::string(reconcile::to_string(event.type)), fields);
  } else {
    log_info("workspace " + std::string(reconcile::to_string(event.type)), fields);
  }
}

}  // namespace wsop::observability
