#include "controller/manifest/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <map>
#include <streambuf>

namespace wsop::manifest {
namespace {

Mark to_mark(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

// Whether a null value at value_mark, after a key at key_mark, is an empty
// value that yaml-cpp placed at the next token: on a later line, and not
// indented under the key (where an explicit "~" or "null" would be).
bool empty_value_mark(Mark key_mark, Mark value_mark) {
  if (value_mark.line == 0) return true;  // no position at all
  return value_mark.line > key_mark.line && value_mark.column <= key_mark.column;
}

// Thrown inside this file only, to stop yaml-cpp's parser from a handler.
struct LimitExceeded {
  YamlError error;
};

// Reads a string_view without copying it.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());
    setg(p, p, p + text.size());
  }
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const YamlLimits& limits, std::vector<YamlDocument>& out)
      : limits_(limits), out_(out) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (out_.size() >= limits_.max_documents) {
      fail(mark,
           "too many documents in one input (limit " + std::to_string(limits_.max_documents) + ")");
    }
    doc_start_ = mark;
    nodes_ = 0;
    anchors_.clear();
    root_.reset();
  }

  void OnDocumentEnd() override {
    YamlDocument doc;
    doc.root = root_ ? root_ : std::make_shared<YamlNode>();
    doc.start = to_mark(doc_start_);
    doc.index = static_cast<int>(out_.size());
    out_.push_back(std::move(doc));
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto node = std::make_shared<YamlNode>();
    node->mark = to_mark(mark);
    add(mark, anchor, std::move(node));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "alias to an unknown anchor");
    charge(mark, it->second->subtree_nodes);
    attach(mark, it->second);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto node = std::make_shared<YamlNode>();
    node->kind = YamlNode::Kind::kScalar;
    node->mark = to_mark(mark);
    node->value = value;
    node->tag = tag == "?" ? "" : tag;
    node->plain = tag == "?";
    check_size(mark, value.size());
    add(mark, anchor, std::move(node));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, YamlNode::Kind::kSequence);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    std::shared_ptr<YamlNode> node;
    YAML::anchor_t anchor = 0;
    bool expecting_key = true;  // maps alternate key, value
    std::string pending_key;
    Mark pending_key_mark;
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    throw LimitExceeded{{to_mark(mark), std::move(message)}};
  }

  // extra: bytes the event covers beyond its start (a scalar's text).
  void check_size(const YAML::Mark& mark, size_t extra = 0) {
    if (!mark.is_null() && !doc_start_.is_null() &&
        static_cast<size_t>(mark.pos - doc_start_.pos) + extra > limits_.max_document_bytes) {
      fail(mark, "document larger than " + std::to_string(limits_.max_document_bytes) + " bytes");
    }
  }

  void charge(const YAML::Mark& mark, size_t count) {
    nodes_ += count;
    if (nodes_ > limits_.max_nodes_per_document) {
      fail(mark, "document expands to more than " + std::to_string(limits_.max_nodes_per_document) +
                     " nodes (alias expansion or size limit)");
    }
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YamlNode::Kind kind) {
    if (stack_.size() >= limits_.max_depth) {
      fail(mark, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    charge(mark, 1);
    check_size(mark);
    auto node = std::make_shared<YamlNode>();
    node->kind = kind;
    node->mark = to_mark(mark);
    node->tag = (tag == "?" || tag == "!") ? "" : tag;
    Frame frame;
    frame.node = std::move(node);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    for (const auto& item : frame.node->items) frame.node->subtree_nodes += item->subtree_nodes;
    for (const auto& entry : frame.node->entries) {
      frame.node->subtree_nodes += entry.value->subtree_nodes + 1;
    }
    NodePtr done = frame.node;
    if (frame.anchor != 0) anchors_[frame.anchor] = done;
    YAML::Mark mark;
    mark.line = done->mark.line - 1;
    mark.column = done->mark.column - 1;
    attach(mark, done);
  }

  void add(const YAML::Mark& mark, YAML::anchor_t anchor, std::shared_ptr<YamlNode> node) {
    charge(mark, 1);
    check_size(mark);
    if (anchor != 0) anchors_[anchor] = node;
    attach(mark, std::move(node));
  }

  // Places a finished node in its parent (or as the document root).
  void attach(const YAML::Mark& mark, NodePtr node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node->kind == YamlNode::Kind::kSequence) {
      parent.node->items.push_back(std::move(node));
      return;
    }
    if (parent.expecting_key) {
      if (node->kind != YamlNode::Kind::kScalar) fail(mark, "mapping keys must be scalars");
      for (const auto& entry : parent.node->entries) {
        if (entry.key == node->value) fail(mark, "duplicate key \"" + node->value + "\"");
      }
      parent.pending_key = node->value;
      parent.pending_key_mark = node->mark;
      parent.expecting_key = false;
      return;
    }
    if (node->kind == YamlNode::Kind::kNull &&
        empty_value_mark(parent.pending_key_mark, node->mark)) {
      // An empty value ("key:" and nothing after it): yaml-cpp places it at
      // the next token, often the next line. Point at its key instead.
      auto moved = std::make_shared<YamlNode>(*node);
      moved->mark = parent.pending_key_mark;
      node = std::move(moved);
    }
    parent.node->entries.push_back(
        {std::move(parent.pending_key), parent.pending_key_mark, std::move(node)});
    parent.expecting_key = true;
  }

  const YamlLimits& limits_;
  std::vector<YamlDocument>& out_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, NodePtr> anchors_;
  NodePtr root_;
  YAML::Mark doc_start_;
  size_t nodes_ = 0;
};

// Length of the UTF-8 sequence starting with lead byte c, or 0 if invalid.
int utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

bool valid_continuation(std::string_view text, size_t i, int length) {
  if (i + length > text.size()) return false;
  for (int k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
  }
  auto b0 = static_cast<unsigned char>(text[i]);
  auto b1 = length > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
  if (b0 == 0xE0 && b1 < 0xA0) return false;   // overlong
  if (b0 == 0xED && b1 >= 0xA0) return false;  // surrogates
  if (b0 == 0xF0 && b1 < 0x90) return false;   // overlong
  if (b0 == 0xF4 && b1 >= 0x90) return false;  // beyond U+10FFFF
  return true;
}

}  // namespace

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) return entry.value.get();
  }
  return nullptr;
}

std::optional<YamlError> check_text(std::string_view text) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    int length = utf8_length(c);
    if (length == 0 || !valid_continuation(text, i, length)) {
      return YamlError{{line, column}, "input is not valid UTF-8 (binary file?)"};
    }
    if (length == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return YamlError{{line, column}, "input contains a control character (binary file?)"};
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return std::nullopt;
}

YamlParseResult parse_yaml(std::string_view text, const YamlLimits& limits) {
  YamlParseResult result;
  if (text.size() > limits.max_input_bytes) {
    result.errors.push_back(
        {{1, 1}, "input larger than " + std::to_string(limits.max_input_bytes) + " bytes"});
    return result;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  if (auto bad = check_text(text)) {
    result.errors.push_back(std::move(*bad));
    return result;
  }
  ViewBuf buffer(text);
  std::istream stream(&buffer);
  TreeBuilder builder(limits, result.documents);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const LimitExceeded& e) {
    result.errors.push_back(e.error);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({to_mark(e.mark), e.msg});
  } catch (const std::exception& e) {
    result.errors.push_back({{}, std::string("YAML parser failed: ") + e.what()});
  }
  return result;
}

}  // namespace wsop::manifest
