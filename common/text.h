// Small text helpers shared by the layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsop {

// `text` without the leading and trailing whitespace that Python's
// str.strip() removes: ASCII " \t\n\r\v\f" and \x1c-\x1f, and the Unicode
// spaces (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000) in UTF-8. Django REST framework trims every CharField that
// way (docs/PROVIDERS.md, Paradigm), so a name compared untrimmed would be
// updated forever.
std::string_view trim_whitespace(std::string_view text);

// The parts with `separator` between them ("a, b, c").
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// An empty string when value is a UUID (8-4-4-4-12 hexadecimal digits),
// else the message that says it is not.
std::string check_uuid(std::string_view value);

}  // namespace wsop
