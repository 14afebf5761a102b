#include "providers/support/time.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace wsop::providers {
namespace {

bool read_int(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + width, out);
  return ec == std::errc() && end == text.data() + pos + width;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (!read_int(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !read_int(t, 5, 2, month) ||
      t[7] != '-' || !read_int(t, 8, 2, day) || (t[10] != 'T' && t[10] != ' ') ||
      !read_int(t, 11, 2, hour) || t[13] != ':' || !read_int(t, 14, 2, minute) || t[16] != ':' ||
      !read_int(t, 17, 2, second)) {
    return std::nullopt;
  }
  // system_clock counts nanoseconds in 64 bits (years 1678 to 2262): a year
  // beyond that would overflow, and none is a real workspace's timestamp.
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < t.size() && t[pos] == '.') {
    int64_t scale = 100000;
    for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos) {
      micros += (t[pos] - '0') * scale;
      scale /= 10;
    }
  }
  int offset_minutes = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!read_int(t, pos + 1, 2, oh) || t.size() < pos + 6 || t[pos + 3] != ':' ||
        !read_int(t, pos + 4, 2, om)) {
      return std::nullopt;
    }
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset_minutes = (t[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  }
  if (pos != t.size()) return std::nullopt;
  int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                    offset_minutes * 60;
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds)) +
         std::chrono::microseconds(micros);
}

std::string format_timestamp(std::chrono::system_clock::time_point time) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  std::time_t seconds = millis.count() / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis.count() % 1000));
  return buffer;
}

}  // namespace wsop::providers
