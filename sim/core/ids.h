// Identifiers and timestamps in the vendors' formats. Not thread-safe: a
// simulator calls these under its store's lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace wsop::sim {

// A random (version 4) UUID, lower-case: Aether's workspace ids.
std::string make_uuid_v4(std::mt19937_64& rng);

// ULIDs (26 Crockford base32 characters: 48-bit milliseconds, 80 random
// bits), monotonic within one generator so that ids sort in creation order,
// as the ULID spec's monotonic mode does. Cadenya's ids are "ws_" + a ULID.
class UlidGenerator {
 public:
  std::string next(std::chrono::system_clock::time_point now, std::mt19937_64& rng);

 private:
  std::uint64_t last_ms_ = 0;
  std::array<std::uint8_t, 10> last_random_{};
};

// True for 26 Crockford base32 characters (upper case, no I, L, O, U).
bool is_ulid(const std::string& text);
// True for the canonical 8-4-4-4-12 hexadecimal form.
bool is_uuid(const std::string& text);

// RFC 3339 in UTC with `fraction_digits` (0, 3 or 6) digits of seconds:
// "2025-01-15T10:30:00Z", "2025-01-15T10:30:00.123Z".
std::string format_time(std::chrono::system_clock::time_point time, int fraction_digits);

}  // namespace wsop::sim
