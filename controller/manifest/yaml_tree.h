// A YAML document tree with source positions, built from yaml-cpp's parser
// events under limits that make hostile input cheap to reject:
//   - the text must be UTF-8 without control characters (binary is refused);
//   - documents per input, bytes per document, nesting depth and nodes per
//     document (aliases counted as expanded) are bounded, so a "billion laughs"
//     document fails on its first over-budget alias instead of expanding.
// Aliases share the anchored subtree; nothing is copied.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsop::manifest {

struct Mark {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

struct YamlNode;
using NodePtr = std::shared_ptr<const YamlNode>;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  Mark mark;
  std::string value;  // kScalar: the text
  // How a scalar resolves (YAML 1.2 core schema): quoted or !!str-tagged
  // scalars are strings; plain ones may be null, bool, int, float or string.
  bool plain = false;
  std::string tag;             // explicit tag, if any ("!" for quoted scalars)
  std::vector<NodePtr> items;  // kSequence
  struct Entry {
    std::string key;
    Mark key_mark;
    NodePtr value;
  };
  std::vector<Entry> entries;  // kMap, in source order, keys unique
  size_t subtree_nodes = 1;    // this node and everything under it

  const YamlNode* find(std::string_view key) const;
};

struct YamlDocument {
  NodePtr root;  // never null; a kNull node for an empty document
  Mark start;
  int index = 0;  // 0-based position in its input
};

struct YamlLimits {
  size_t max_input_bytes = 64u << 20;     // one file or stdin
  size_t max_document_bytes = 1u << 20;   // one document
  size_t max_documents = 100000;          // per input
  size_t max_nodes_per_document = 20000;  // counting alias expansions
  size_t max_depth = 64;
};

struct YamlError {
  Mark mark;
  std::string message;
};

struct YamlParseResult {
  std::vector<YamlDocument> documents;
  std::vector<YamlError> errors;  // empty on success; parsing stops at the first
};

YamlParseResult parse_yaml(std::string_view text, const YamlLimits& limits = {});

// Checks that text is UTF-8 without NUL or other control characters except
// tab, newline and carriage return. Returns the position of the first bad
// byte, or nothing.
std::optional<YamlError> check_text(std::string_view text);

}  // namespace wsop::manifest
