#include "controller/observability/logging.h"

#include <spdlog/pattern_formatter.h>
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

// The fields of the line this thread is logging through log(), for the JSON
// formatter; null for a direct spdlog call (providers/ logs that way, as it
// may not depend on this code). The default logger is synchronous, so the
// line is formatted on the thread that logs it.
thread_local const std::map<std::string, std::string>* current_fields = nullptr;

// The JSON formatter's "%*": the rest of the object after the time, built
// from the record whoever made it, so every message is escaped.
class JsonRest : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line = {{"level", spdlog::level::to_string_view(msg.level).data()},
                                   {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    if (current_fields) {
      for (const auto& [k, v] : *current_fields) line[k] = v;
    }
    // The pattern opens the object with the time; continue it after the brace.
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data() + 1, text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonRest>();
  }
};

std::string render_text(const std::string& message,
                        const std::map<std::string, std::string>& fields) {
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
  if (format_setting() == LogFormat::kJson) {
    current_fields = &fields;
    spdlog::log(level, "{}", message);
    current_fields = nullptr;
    return;
  }
  spdlog::log(level, "{}", render_text(message, fields));
}

}  // namespace

Status setup_logging(LogFormat format, const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Status::error(Code::kInvalid, "unknown log level \"" + level +
                                             "\" (trace, debug, info, warn, error, critical, off)");
  }
  format_setting() = format;
  spdlog::drop("wsctl");  // set up again (tests)
  auto logger = spdlog::stderr_logger_mt("wsctl");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  // JSON lines carry the time and level themselves.
  formatter->add_flag<JsonRest>('*').set_pattern(format == LogFormat::kJson
                                                     ? "{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",%*"
                                                     : "%Y-%m-%dT%H:%M:%S.%eZ %l %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return Status::ok();
}

void log_debug(const std::string& m, const std::map<std::string, std::string>& f) {
  log(spdlog::level::debug, m, f);
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
