// tree_of_json (controller/manifest/json_tree.h) against parse_yaml of the
// same value's JSON text: the tree must be the one the loader read before
// the kubernetes mode stopped printing and re-reading each object.
#include "controller/manifest/json_tree.h"

#include <gtest/gtest.h>

#include <string>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {
namespace {

using nlohmann::json;

// Node for node, marks aside; the first difference, as a path, or "".
std::string difference(const YamlNode& want, const YamlNode& got, const std::string& path) {
  if (want.kind != got.kind) return path + ": kind";
  if (want.value != got.value) return path + ": value " + want.value + " / " + got.value;
  if (want.plain != got.plain) return path + ": plain";
  if (want.tag != got.tag) return path + ": tag \"" + want.tag + "\" / \"" + got.tag + "\"";
  if (want.subtree_nodes != got.subtree_nodes) return path + ": subtree_nodes";
  if (want.items.size() != got.items.size()) return path + ": items";
  for (size_t i = 0; i < want.items.size(); ++i) {
    auto d = difference(*want.items[i], *got.items[i], path + "[" + std::to_string(i) + "]");
    if (!d.empty()) return d;
  }
  if (want.entries.size() != got.entries.size()) return path + ": entries";
  for (size_t i = 0; i < want.entries.size(); ++i) {
    if (want.entries[i].key != got.entries[i].key) return path + ": key " + want.entries[i].key;
    auto d =
        difference(*want.entries[i].value, *got.entries[i].value, path + "." + want.entries[i].key);
    if (!d.empty()) return d;
  }
  return "";
}

std::string against_text(const json& value) {
  YamlParseResult from_text = parse_yaml(value.dump(2));
  YamlParseResult from_value = tree_of_json(value);
  if (!from_text.errors.empty()) return "the text did not parse: " + from_text.errors[0].message;
  if (!from_value.errors.empty())
    return "the value did not convert: " + from_value.errors[0].message;
  if (from_text.documents.size() != 1 || from_value.documents.size() != 1) return "documents";
  return difference(*from_text.documents[0].root, *from_value.documents[0].root, "$");
}

TEST(JsonTreeTest, EveryKindOfValueGivesTheTreeOfItsText) {
  json value = {
      {"apiVersion", "workspace-operator.io/v1alpha1"},
      {"kind", "Workspace"},
      {"metadata", {{"name", "a"}, {"labels", json::object()}, {"annotations", {{"k", ""}}}}},
      {"spec",
       {{"count", 3},
        {"negative", -7},
        {"big", 18446744073709551615ull},
        {"ratio", 1.5},
        {"whole", 2.0},
        {"tiny", 1e-300},
        {"on", true},
        {"off", false},
        {"nothing", nullptr},
        {"quotedNumber", "3"},
        {"quotedBool", "true"},
        {"quotedNull", "null"},
        {"tilde", "~"},
        {"empty", ""},
        {"escapes", "tab\there \"quoted\" back\\slash\nnew line \x01 control"},
        {"unicode", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"},
        {"list", {1, "two", nullptr, json::array(), json::object(), {{"x", {1, 2}}}}},
        {"emptyList", json::array()},
        {"emptyMap", json::object()}}}};
  EXPECT_EQ(against_text(value), "");
  EXPECT_EQ(against_text(json::array({1, 2})), "");
  EXPECT_EQ(against_text(json("alone")), "");
}

TEST(JsonTreeTest, StringsAreQuotedScalarsAndNumbersPlainOnes) {
  YamlParseResult tree = tree_of_json({{"s", "3"}, {"n", 3}, {"z", nullptr}});
  ASSERT_TRUE(tree.errors.empty());
  const YamlNode& root = *tree.documents[0].root;
  EXPECT_FALSE(root.find("s")->plain);
  EXPECT_EQ(root.find("s")->tag, "!");
  EXPECT_TRUE(root.find("n")->plain);
  EXPECT_EQ(root.find("z")->kind, YamlNode::Kind::kNull);
  EXPECT_EQ(root.subtree_nodes, 7u);  // the map, three keys, three values
}

TEST(JsonTreeTest, TheLimitsOfTheTextApply) {
  YamlLimits limits;
  limits.max_depth = 4;
  json deep = 1;
  for (int i = 0; i < 4; ++i) deep = json::array({deep});
  EXPECT_TRUE(tree_of_json(deep, limits).errors.empty());
  deep = json::array({deep});
  auto too_deep = tree_of_json(deep, limits);
  ASSERT_EQ(too_deep.errors.size(), 1u);
  EXPECT_NE(too_deep.errors[0].message.find("nesting deeper than 4"), std::string::npos);
  EXPECT_TRUE(too_deep.documents.empty());

  limits = {};
  limits.max_nodes_per_document = 10;
  json wide = json::array();
  for (int i = 0; i < 9; ++i) wide.push_back(i);
  EXPECT_TRUE(tree_of_json(wide, limits).errors.empty());
  wide.push_back(9);
  EXPECT_NE(tree_of_json(wide, limits).errors.at(0).message.find("more than 10 nodes"),
            std::string::npos);

  limits = {};
  limits.max_document_bytes = 100;
  EXPECT_TRUE(tree_of_json({{"k", std::string(80, 'x')}}, limits).errors.empty());
  EXPECT_NE(tree_of_json({{"k", std::string(100, 'x')}}, limits)
                .errors.at(0)
                .message.find("larger than 100 bytes"),
            std::string::npos);
}

// The loader's answer for a value is its answer for the value's text:
// the same Workspace, or the same errors at the same field paths.
TEST(JsonTreeTest, LoadJsonDecodesAsLoadTextsDoes) {
  json config = {{"apiVersion", "workspace-operator.io/v1alpha1"},
                 {"kind", "ProviderConfig"},
                 {"metadata", {{"name", "p"}}},
                 {"spec",
                  {{"type", "paradigm"},
                   {"baseUrl", "https://paradigm.example.com"},
                   {"credentials", {{"env", "TOKEN"}}}}}};
  json workspace = {{"apiVersion", "workspace-operator.io/v1alpha1"},
                    {"kind", "Workspace"},
                    {"metadata", {{"name", "w"}, {"namespace", "team"}}},
                    {"spec",
                     {{"providerConfigRef", {{"name", "p"}}},
                      {"displayName", "W"},
                      {"colour", "blue"},
                      {"paradigm", {{"companyId", "12"}}}}}};
  for (const json& value : {config, workspace}) {
    LoadResult from_value = load_json("Object/x", value);
    LoadResult from_text = load_texts({{"Object/x", value.dump(2)}});
    ASSERT_EQ(from_value.errors.size(), from_text.errors.size()) << value.dump();
    for (size_t i = 0; i < from_text.errors.size(); ++i) {
      EXPECT_EQ(from_value.errors[i].path, from_text.errors[i].path);
      EXPECT_EQ(from_value.errors[i].message, from_text.errors[i].message);
      EXPECT_EQ(from_value.errors[i].file, "Object/x");
    }
    EXPECT_EQ(from_value.set.workspaces.size(), from_text.set.workspaces.size());
    EXPECT_EQ(from_value.set.rejected_workspaces.size(), from_text.set.rejected_workspaces.size());
    EXPECT_EQ(from_value.set.provider_configs.size(), from_text.set.provider_configs.size());
  }
  EXPECT_FALSE(load_json("Object/x", workspace).errors.empty()) << "spec.colour is unknown";
}

}  // namespace
}  // namespace wsop::manifest
