#include "controller/manifest/yaml_tree.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace wsop::manifest {
namespace {

TEST(YamlTreeTest, KeepsPositionsAndScalarStyle) {
  auto result = parse_yaml("a: 1\nb:\n  c: \"x\"\n");
  ASSERT_TRUE(result.errors.empty());
  ASSERT_EQ(result.documents.size(), 1u);
  const YamlNode& root = *result.documents[0].root;
  ASSERT_EQ(root.kind, YamlNode::Kind::kMap);
  const YamlNode* a = root.find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->plain);
  EXPECT_EQ(a->mark.line, 1);
  EXPECT_EQ(a->mark.column, 4);
  const YamlNode* c = root.find("b")->find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->plain);
  EXPECT_EQ(c->mark.line, 3);
  EXPECT_EQ(c->mark.column, 6);
}

TEST(YamlTreeTest, EmptyValuesSitAtTheirKey) {
  // yaml-cpp places an empty value at the next token; an explicit null
  // indented under its key keeps its own position.
  auto result = parse_yaml("a:\nb:\n  c:\n  d:\n    ~\ne:");
  ASSERT_TRUE(result.errors.empty());
  const YamlNode& root = *result.documents[0].root;
  const YamlNode* a = root.find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kind, YamlNode::Kind::kNull);
  EXPECT_EQ(a->mark.line, 1);
  EXPECT_EQ(a->mark.column, 1);
  const YamlNode* c = root.find("b")->find("c");
  EXPECT_EQ(c->mark.line, 3);
  EXPECT_EQ(c->mark.column, 3);
  const YamlNode* d = root.find("b")->find("d");
  EXPECT_EQ(d->mark.line, 5);
  EXPECT_EQ(d->mark.column, 5);
  const YamlNode* e = root.find("e");
  EXPECT_EQ(e->mark.line, 6);
  EXPECT_EQ(e->mark.column, 1);
}

TEST(YamlTreeTest, SplitsMultipleDocuments) {
  auto result = parse_yaml("a: 1\n---\nb: 2\n---\n");
  ASSERT_TRUE(result.errors.empty());
  EXPECT_EQ(result.documents.size(), 3u);
  EXPECT_EQ(result.documents[2].root->kind, YamlNode::Kind::kNull);
}

TEST(YamlTreeTest, RejectsDuplicateKeys) {
  auto result = parse_yaml("a: 1\na: 2\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].mark.line, 2);
  EXPECT_NE(result.errors[0].message.find("duplicate key"), std::string::npos);
}

TEST(YamlTreeTest, SharesAliasesWithinBudget) {
  auto result = parse_yaml("base: &b {x: 1}\nuse: *b\n");
  ASSERT_TRUE(result.errors.empty());
  const YamlNode& root = *result.documents[0].root;
  EXPECT_EQ(root.find("use"), root.find("base"));
}

TEST(YamlTreeTest, RejectsBillionLaughsFast) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) text += ", " + prev;
    text += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  auto result = parse_yaml(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("alias expansion"), std::string::npos);
  // Not a timing assertion on speed: expansion would take hours, so any
  // finish at all shows nothing was expanded.
  EXPECT_LT(elapsed, std::chrono::seconds(30));
}

TEST(YamlTreeTest, RejectsDeepNesting) {
  std::string text(200, '[');
  text += std::string(200, ']');
  auto result = parse_yaml(text);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("nesting deeper"), std::string::npos);
}

TEST(YamlTreeTest, RejectsBinaryAndInvalidUtf8) {
  auto binary = parse_yaml(std::string("a: 1\nb: \0\x01", 10));
  ASSERT_EQ(binary.errors.size(), 1u);
  EXPECT_EQ(binary.errors[0].mark.line, 2);
  EXPECT_NE(binary.errors[0].message.find("control character"), std::string::npos);
  auto latin1 = parse_yaml("name: caf\xe9\n");
  ASSERT_EQ(latin1.errors.size(), 1u);
  EXPECT_NE(latin1.errors[0].message.find("UTF-8"), std::string::npos);
}

TEST(YamlTreeTest, BoundsDocumentSizeAndCount) {
  YamlLimits limits;
  limits.max_documents = 3;
  auto many = parse_yaml("a: 1\n---\na: 2\n---\na: 3\n---\na: 4\n", limits);
  ASSERT_EQ(many.errors.size(), 1u);
  EXPECT_NE(many.errors[0].message.find("too many documents"), std::string::npos);

  limits = {};
  limits.max_document_bytes = 64;
  auto big =
      parse_yaml("a: " + std::string(40, 'x') + "\nb: " + std::string(40, 'y') + "\n", limits);
  ASSERT_EQ(big.errors.size(), 1u);
  EXPECT_NE(big.errors[0].message.find("document larger"), std::string::npos);

  limits = {};
  limits.max_input_bytes = 10;
  auto input = parse_yaml("a: 123456789\n", limits);
  ASSERT_EQ(input.errors.size(), 1u);
  EXPECT_NE(input.errors[0].message.find("input larger"), std::string::npos);
}

TEST(YamlTreeTest, ReportsSyntaxErrorsWithPosition) {
  auto result = parse_yaml("a: [1, 2\nb: 3\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_GT(result.errors[0].mark.line, 0);
}

}  // namespace
}  // namespace wsop::manifest
