// RFC 3339 / ISO 8601 timestamps as vendors send them
// ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456+02:00").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wsop::providers {

std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);
std::string format_timestamp(std::chrono::system_clock::time_point time);  // UTC, millis, "Z"

}  // namespace wsop::providers
