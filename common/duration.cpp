#include "common/duration.h"

#include <cctype>
#include <limits>

namespace wsop {
namespace {

// Unit suffixes in milliseconds; longer suffixes first so "ms" wins over "m".
struct Unit {
  std::string_view suffix;
  double millis;
};
constexpr Unit kUnits[] = {{"ms", 1.0}, {"h", 3600000.0}, {"m", 60000.0}, {"s", 1000.0}};

}  // namespace

Outcome<Millis> parse_duration(std::string_view text) {
  if (text == "0") return Millis(0);
  if (text.empty()) return Status::error(Code::kInvalid, "empty duration");
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i) {
      return Status::error(Code::kInvalid, "invalid duration \"" + std::string(text) +
                                               "\": expected a number such as 5s, 10m or 1h30m");
    }
    std::string number(text.substr(start, i - start));
    double value = 0;
    try {
      size_t used = 0;
      value = std::stod(number, &used);
      if (used != number.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return Status::error(Code::kInvalid,
                           "invalid number in duration \"" + std::string(text) + "\"");
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.suffix.size()) == u.suffix) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      return Status::error(Code::kInvalid, "invalid duration \"" + std::string(text) +
                                               "\": missing unit (ms, s, m or h)");
    }
    i += unit->suffix.size();
    total += value * unit->millis;
    if (total > static_cast<double>(std::numeric_limits<int64_t>::max() / 2)) {
      return Status::error(Code::kInvalid, "duration \"" + std::string(text) + "\" is too large");
    }
  }
  return Millis(static_cast<int64_t>(total + 0.5));
}

std::string format_duration(Millis duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0 && ms < 1000) return out + std::to_string(ms) + "ms";
  int64_t hours = ms / 3600000;
  ms %= 3600000;
  int64_t minutes = ms / 60000;
  ms %= 60000;
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (ms) {
    if (ms % 1000 == 0) {
      out += std::to_string(ms / 1000) + "s";
    } else {
      out += std::to_string(ms) + "ms";
    }
  }
  return out;
}

}  // namespace wsop
