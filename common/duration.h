// Durations as people write them in manifests and flags: Go's syntax
// ("300ms", "5s", "10m", "1h30m"), as in Kubernetes and Flux. A bare "0" is
// zero; a bare number without a unit is an error, because "30" is ambiguous.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wsop {

using Millis = std::chrono::milliseconds;

Outcome<Millis> parse_duration(std::string_view text);

// The shortest Go-style rendering: 5000ms -> "5s", 90000ms -> "1m30s".
std::string format_duration(Millis duration);

}  // namespace wsop
