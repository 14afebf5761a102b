// Logging setup (spdlog): text for people, or one JSON object per line for
// log pipelines (--log-format json). Messages never contain a token: the
// code that logs never has one (ProviderConfigs name where a token lives).
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "controller/reconcile/events.h"

namespace wsop::observability {

enum class LogFormat { kText, kJson };

// Configures the default logger, to stderr. kInvalid for an unknown level.
Status setup_logging(LogFormat format, const std::string& level);

// Logs a message with structured fields (JSON keys, or key=value in text).
void log_debug(const std::string& message, const std::map<std::string, std::string>& fields = {});
void log_info(const std::string& message, const std::map<std::string, std::string>& fields = {});
void log_warn(const std::string& message, const std::map<std::string, std::string>& fields = {});
void log_error(const std::string& message, const std::map<std::string, std::string>& fields = {});

// Logs one line per reconcile event (created, updated, drift corrected...).
class LogEvents : public reconcile::EventSink {
 public:
  void on_event(const reconcile::Event& event) override;
};

}  // namespace wsop::observability
