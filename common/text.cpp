#include "common/text.h"

#include <array>

namespace wsop {
namespace {

// The UTF-8 encodings of the non-ASCII characters str.isspace() accepts.
constexpr std::array<std::string_view, 19> kUnicodeSpaces = {
    "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
    "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
    "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8",
    "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};

bool ascii_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// The length of the whitespace character `text` starts (front) or ends
// (back) with; 0 when it does not.
size_t space_length(std::string_view text, bool front) {
  if (text.empty()) return 0;
  if (ascii_space(front ? text.front() : text.back())) return 1;
  auto matches = [&](std::string_view space) {
    return front ? text.substr(0, space.size()) == space
                 : text.size() >= space.size() && text.substr(text.size() - space.size()) == space;
  };
  for (std::string_view space : kUnicodeSpaces) {
    if (matches(space)) return space.size();
  }
  return 0;
}

}  // namespace

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string_view trim_whitespace(std::string_view text) {
  while (size_t n = space_length(text, /*front=*/true)) text.remove_prefix(n);
  while (size_t n = space_length(text, /*front=*/false)) text.remove_suffix(n);
  return text;
}

std::string check_uuid(std::string_view value) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  auto is_hex_digit = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  size_t i = 0;
  bool ok = value.size() == 36;
  for (int g = 0; ok && g < 5; ++g) {
    for (int k = 0; ok && k < kGroups[g]; ++k, ++i) ok = is_hex_digit(value[i]);
    if (ok && g < 4) ok = value[i++] == '-';
  }
  if (!ok) return "\"" + std::string(value) + "\" is not a UUID (8-4-4-4-12 hexadecimal digits)";
  return {};
}

}  // namespace wsop
