#include "sim/core/ids.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace wsop::sim {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Increments a big-endian 80-bit number; false on overflow.
bool increment(std::array<std::uint8_t, 10>& bytes) {
  for (int i = 9; i >= 0; --i) {
    if (++bytes[i] != 0) return true;
  }
  return false;
}

}  // namespace

std::string make_uuid_v4(std::mt19937_64& rng) {
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return out;
}

std::string UlidGenerator::next(std::chrono::system_clock::time_point now, std::mt19937_64& rng) {
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  // Within one millisecond (or if the clock steps back) the random part
  // counts up, so ids keep their order.
  bool fresh = ms > last_ms_;
  if (!fresh && !increment(last_random_)) {
    ++last_ms_;
    fresh = true;
    ms = last_ms_;
  }
  if (fresh) {
    for (auto& b : last_random_) b = static_cast<std::uint8_t>(rng());
    last_ms_ = ms;
  }
  ms = last_ms_;
  std::string out(26, '0');
  for (int i = 9; i >= 0; --i, ms >>= 5) out[i] = kCrockford[ms & 31];
  // 80 random bits as 16 characters of 5 bits, most significant first.
  for (int c = 0; c < 16; ++c) {
    int value = 0;
    for (int bit = 0; bit < 5; ++bit) {
      int index = c * 5 + bit;
      value = (value << 1) | ((last_random_[index / 8] >> (7 - index % 8)) & 1);
    }
    out[10 + c] = kCrockford[value];
  }
  return out;
}

bool is_ulid(const std::string& text) {
  if (text.size() != 26 || text[0] > '7') return false;
  for (char c : text) {
    bool ok = false;
    for (const char* k = kCrockford; *k; ++k) ok = ok || *k == c;
    if (!ok) return false;
  }
  return true;
}

bool is_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string format_time(std::chrono::system_clock::time_point time, int fraction_digits) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char base[32];
  std::strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out = base;
  long fraction = static_cast<long>(micros % 1'000'000);
  char digits[16];
  if (fraction_digits == 3) {
    std::snprintf(digits, sizeof digits, ".%03ld", fraction / 1000);
    out += digits;
  } else if (fraction_digits == 6) {
    std::snprintf(digits, sizeof digits, ".%06ld", fraction);
    out += digits;
  }
  return out + "Z";
}

}  // namespace wsop::sim
