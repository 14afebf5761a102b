// Strict, typed reads from a YamlNode, reporting every problem to a
// DiagnosticSink with its position and field path. Scalars resolve as in
// YAML 1.2's core schema (and JSON): a quoted "5" is a string, a plain 5 an
// integer, so `cpus: "4"` is a type error, as kubectl would report it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "controller/manifest/diagnostic.h"
#include "controller/manifest/yaml_tree.h"

namespace wsop::manifest {

enum class ValueType { kNull, kBool, kInteger, kNumber, kString, kSequence, kObject };
ValueType value_type(const YamlNode& node);
const char* type_name(ValueType type);

std::string join_path(std::string_view parent, std::string_view field);

class Reader {
 public:
  explicit Reader(DiagnosticSink& sink) : sink_(sink) {}

  void error(Mark mark, const std::string& path, std::string message) {
    sink_.add(mark, path, std::move(message));
  }

  // The map at node, or nullptr (with an error) if it is not a map.
  const YamlNode* object(const YamlNode& node, const std::string& path);

  // Reports every key of map that is not in known, at the key's position.
  void reject_unknown(const YamlNode& map, const std::string& path,
                      std::initializer_list<std::string_view> known);

  // The value of a required field, or nullptr (with an error at the map).
  const YamlNode* required(const YamlNode& map, const std::string& path, std::string_view key);

  std::optional<std::string> string(const YamlNode& node, const std::string& path);
  std::optional<int64_t> integer(const YamlNode& node, const std::string& path, int64_t min,
                                 int64_t max);
  std::optional<double> positive_number(const YamlNode& node, const std::string& path);
  std::optional<bool> boolean(const YamlNode& node, const std::string& path);
  // One of allowed, spelled exactly.
  std::optional<std::string> one_of(const YamlNode& node, const std::string& path,
                                    std::initializer_list<std::string_view> allowed);
  // A map of string to string (labels, annotations); keys are not checked.
  std::optional<std::map<std::string, std::string>> string_map(const YamlNode& node,
                                                               const std::string& path);

  // Where the value of key sits in map (or the map itself when absent).
  static Mark mark_of(const YamlNode& map, std::string_view key);

 private:
  void type_error(const YamlNode& node, const std::string& path, const char* expected);
  DiagnosticSink& sink_;
};

}  // namespace wsop::manifest
