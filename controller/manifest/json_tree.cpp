#include "controller/manifest/json_tree.h"

#include <string>
#include <utility>

namespace wsop::manifest {
namespace {

// Thrown inside this file only, to stop the walk at the first limit.
struct JsonLimitExceeded {
  std::string message;
};

class JsonTreeBuilder {
 public:
  explicit JsonTreeBuilder(const YamlLimits& limits) : limits_(limits) {}

  // depth: the containers around value.
  NodePtr build(const nlohmann::json& value, size_t depth) {
    charge_node();
    auto node = std::make_shared<YamlNode>();
    switch (value.type()) {
      case nlohmann::json::value_t::object:
        open(depth);
        node->kind = YamlNode::Kind::kMap;
        node->entries.reserve(value.size());
        for (const auto& [key, item] : value.items()) {
          charge_node();                 // the key, a scalar of its own in the text
          charge_bytes(key.size() + 4);  // "key":  and the comma
          NodePtr child = build(item, depth + 1);
          node->subtree_nodes += child->subtree_nodes + 1;
          node->entries.push_back({key, Mark{}, std::move(child)});
        }
        break;
      case nlohmann::json::value_t::array:
        open(depth);
        node->kind = YamlNode::Kind::kSequence;
        node->items.reserve(value.size());
        for (const auto& item : value) {
          charge_bytes(1);
          NodePtr child = build(item, depth + 1);
          node->subtree_nodes += child->subtree_nodes;
          node->items.push_back(std::move(child));
        }
        break;
      case nlohmann::json::value_t::string:
        node->kind = YamlNode::Kind::kScalar;
        node->value = value.get_ref<const std::string&>();
        node->tag = "!";  // yaml-cpp's tag of a quoted scalar
        charge_bytes(node->value.size() + 2);
        break;
      case nlohmann::json::value_t::null: charge_bytes(4); break;
      case nlohmann::json::value_t::boolean:
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
        node->kind = YamlNode::Kind::kScalar;
        node->value = value.dump();
        node->plain = true;
        charge_bytes(node->value.size());
        break;
      case nlohmann::json::value_t::binary:
      case nlohmann::json::value_t::discarded: throw JsonLimitExceeded{"a value JSON cannot spell"};
    }
    return node;
  }

 private:
  void charge_node() {
    if (++nodes_ > limits_.max_nodes_per_document) {
      throw JsonLimitExceeded{"document has more than " +
                              std::to_string(limits_.max_nodes_per_document) + " nodes"};
    }
  }

  void charge_bytes(size_t n) {
    bytes_ += n;
    if (bytes_ > limits_.max_document_bytes) {
      throw JsonLimitExceeded{"document larger than " + std::to_string(limits_.max_document_bytes) +
                              " bytes"};
    }
  }

  void open(size_t depth) const {
    if (depth >= limits_.max_depth) {
      throw JsonLimitExceeded{"nesting deeper than " + std::to_string(limits_.max_depth) +
                              " levels"};
    }
  }

  const YamlLimits& limits_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
};

}  // namespace

YamlParseResult tree_of_json(const nlohmann::json& value, const YamlLimits& limits) {
  YamlParseResult result;
  try {
    YamlDocument document;
    document.root = JsonTreeBuilder(limits).build(value, 0);
    result.documents.push_back(std::move(document));
  } catch (const JsonLimitExceeded& e) {
    result.errors.push_back({Mark{}, e.message});
  }
  return result;
}

}  // namespace wsop::manifest
