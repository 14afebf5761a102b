#include "controller/manifest/reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace wsop::manifest {
namespace {

const std::string kStrTag = "tag:yaml.org,2002:str";

bool is_null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}
bool is_bool_text(std::string_view s) {
  return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}
bool all_of_set(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

bool is_int_text(std::string_view s) {
  if (s.substr(0, 2) == "0o") return all_of_set(s.substr(2), "01234567");
  if (s.substr(0, 2) == "0x") return all_of_set(s.substr(2), "0123456789abcdefABCDEF");
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return all_of_set(s, "0123456789");
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, or .inf / .nan spellings.
bool is_float_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == ".nan" || s == ".NaN" || s == ".NAN") {
    return true;
  }
  size_t exponent = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, exponent);
  size_t dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction = dot == s.npos ? std::string_view() : mantissa.substr(dot + 1);
  bool whole_ok = whole.empty() || all_of_set(whole, "0123456789");
  bool fraction_ok = fraction.empty() || all_of_set(fraction, "0123456789");
  if (!whole_ok || !fraction_ok || (whole.empty() && fraction.empty())) return false;
  if (exponent == s.npos) return true;
  std::string_view power = s.substr(exponent + 1);
  if (!power.empty() && (power[0] == '-' || power[0] == '+')) power.remove_prefix(1);
  return all_of_set(power, "0123456789");
}

// The value of an integer in YAML 1.2 core spelling ([-+]?[0-9]+, 0o[0-7]+,
// 0x[0-9a-fA-F]+), or nothing when it does not fit in 64 bits.
std::optional<int64_t> parse_integer(std::string_view text) {
  int base = 10;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.substr(0, 2) == "0x") base = 16, text.remove_prefix(2);
  if (text.substr(0, 2) == "0o") base = 8, text.remove_prefix(2);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ValueType value_type(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull: return ValueType::kNull;
    case YamlNode::Kind::kSequence: return ValueType::kSequence;
    case YamlNode::Kind::kMap: return ValueType::kObject;
    case YamlNode::Kind::kScalar: break;
  }
  if (!node.plain || node.tag == kStrTag) return ValueType::kString;
  const std::string& v = node.value;
  if (is_null_text(v)) return ValueType::kNull;
  if (is_bool_text(v)) return ValueType::kBool;
  if (is_int_text(v)) return ValueType::kInteger;
  if (is_float_text(v)) return ValueType::kNumber;
  return ValueType::kString;
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kNumber: return "number";
    case ValueType::kString: return "string";
    case ValueType::kSequence: return "array";
    case ValueType::kObject: return "object";
  }
  return "value";
}

std::string join_path(std::string_view parent, std::string_view field) {
  if (parent.empty()) return std::string(field);
  return std::string(parent) + "." + std::string(field);
}

void Reader::type_error(const YamlNode& node, const std::string& path, const char* expected) {
  error(node.mark, path,
        std::string("expected ") + expected + ", got " + type_name(value_type(node)));
}

const YamlNode* Reader::object(const YamlNode& node, const std::string& path) {
  if (node.kind == YamlNode::Kind::kMap) return &node;
  type_error(node, path, "object");
  return nullptr;
}

void Reader::reject_unknown(const YamlNode& map, const std::string& path,
                            std::initializer_list<std::string_view> known) {
  for (const auto& entry : map.entries) {
    if (std::find(known.begin(), known.end(), entry.key) == known.end()) {
      error(entry.key_mark, join_path(path, entry.key), "unknown field \"" + entry.key + "\"");
    }
  }
}

const YamlNode* Reader::required(const YamlNode& map, const std::string& path,
                                 std::string_view key) {
  const YamlNode* value = map.find(key);
  if (value == nullptr) {
    error(map.mark, join_path(path, key), "required field is missing");
  }
  return value;
}

std::optional<std::string> Reader::string(const YamlNode& node, const std::string& path) {
  if (value_type(node) != ValueType::kString) {
    type_error(node, path, "string");
    return std::nullopt;
  }
  return node.value;
}

std::optional<int64_t> Reader::integer(const YamlNode& node, const std::string& path, int64_t min,
                                       int64_t max) {
  if (value_type(node) != ValueType::kInteger) {
    type_error(node, path, "integer");
    return std::nullopt;
  }
  auto value = parse_integer(node.value);
  if (!value || *value < min || *value > max) {
    // Beyond 64 bits is out of range at the top (or bottom) too.
    bool too_large = value ? *value > max : node.value[0] != '-';
    std::string range =
        max != INT64_MAX ? "must be between " + std::to_string(min) + " and " + std::to_string(max)
        : too_large      ? "must be at most " + std::to_string(max)
                         : "must be at least " + std::to_string(min);
    error(node.mark, path, range + ", got " + node.value);
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::positive_number(const YamlNode& node, const std::string& path) {
  ValueType type = value_type(node);
  if (type != ValueType::kInteger && type != ValueType::kNumber) {
    type_error(node, path, "number");
    return std::nullopt;
  }
  double value = 0;
  if (node.value.rfind("0o", 0) == 0) {
    // YAML 1.2's octal, which stod would read as 0.
    auto integer = parse_integer(node.value);
    value = integer ? static_cast<double>(*integer) : HUGE_VAL;
  } else {
    try {
      value = std::stod(node.value);
    } catch (const std::exception&) {
      value = std::nan("");
    }
  }
  if (!std::isfinite(value) || value <= 0) {
    error(node.mark, path, "must be a positive number, got " + node.value);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::boolean(const YamlNode& node, const std::string& path) {
  if (value_type(node) != ValueType::kBool) {
    type_error(node, path, "boolean");
    return std::nullopt;
  }
  return node.value[0] == 't' || node.value[0] == 'T';
}

std::optional<std::string> Reader::one_of(const YamlNode& node, const std::string& path,
                                          std::initializer_list<std::string_view> allowed) {
  auto text = string(node, path);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return text;
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  error(node.mark, path, "unsupported value \"" + *text + "\": must be one of " + list);
  return std::nullopt;
}

std::optional<std::map<std::string, std::string>> Reader::string_map(const YamlNode& node,
                                                                     const std::string& path) {
  if (value_type(node) == ValueType::kNull) return std::map<std::string, std::string>{};
  if (!object(node, path)) return std::nullopt;
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& entry : node.entries) {
    auto value = string(*entry.value, path + "[" + entry.key + "]");
    if (value) {
      out[entry.key] = *value;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

Mark Reader::mark_of(const YamlNode& map, std::string_view key) {
  const YamlNode* value = map.find(key);
  return value ? value->mark : map.mark;
}

}  // namespace wsop::manifest
