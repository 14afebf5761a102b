// Reading vendor JSON (providers/support/json_fields.h): a list answer's
// items handed over one by one, the rest of the answer kept.
#include "providers/support/json_fields.h"

#include <gtest/gtest.h>

#include <vector>

namespace wsop::providers {
namespace {

std::vector<Json> items_of(std::string_view body, StreamedItems* out = nullptr) {
  std::vector<Json> items;
  auto parsed = parse_body_items(body, "test list", "workspaces",
                                 [&](Json&& item) { items.push_back(std::move(item)); });
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  if (parsed && out) *out = std::move(*parsed);
  return items;
}

TEST(ParseBodyItems, HandsOverEachItemInOrder) {
  StreamedItems out;
  auto items = items_of(
      R"({"next":"c2","workspaces":[{"id":"a","hw":{"cpus":2}},{"id":"b"},7],"workspacesCount":3})",
      &out);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], Json::parse(R"({"id":"a","hw":{"cpus":2}})"));  // nested objects whole
  EXPECT_EQ(items[1]["id"], "b");
  EXPECT_EQ(items[2], 7);
  EXPECT_EQ(out.items, 3u);
  EXPECT_TRUE(out.array_found);
}

// 150,000 objects in an array beside the list's: read once each (the
// hostile corpus's list page times this in the provider tests).
TEST(ParseBodyItems, ALongArrayElsewhereIsSkippedInOnePass) {
  std::string body = R"({"results":[)";
  for (int i = 0; i < 150000; ++i) body += R"({"id":7},)";
  body += R"({"id":7}],"workspaces":[{"id":"a","tags":[[1],{"k":[2]}]}]})";
  StreamedItems out;
  auto items = items_of(body, &out);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0], Json::parse(R"({"id":"a","tags":[[1],{"k":[2]}]})"));
}

TEST(ParseBodyItems, OnlyTheTopLevelKeyIsTheList) {
  StreamedItems out;
  // An array of the same name deeper down is part of an item, not the list.
  auto items = items_of(R"({"meta":{"workspaces":[1,2]},"other":[3]})", &out);
  EXPECT_TRUE(items.empty());
  EXPECT_FALSE(out.array_found);
  items_of(R"({"workspaces":{"id":"not an array"}})", &out);
  EXPECT_FALSE(out.array_found);
  items_of(R"({"workspaces":[]})", &out);
  EXPECT_TRUE(out.array_found);
  EXPECT_EQ(out.items, 0u);
  items_of(R"([{"workspaces":[1]}])", &out);  // not an object at the top
  EXPECT_FALSE(out.array_found);
}

TEST(ParseBodyItems, AMalformedBodyIsTransientWithoutItsText) {
  auto parsed = parse_body_items(R"({"workspaces":[{"id":"a"},{"id":)", "Aether list", "workspaces",
                                 [](Json&&) {});
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), Code::kTransient);
  EXPECT_NE(parsed.status().message().find("Aether list"), std::string::npos);
  EXPECT_EQ(parsed.status().message().find("\"id\""), std::string::npos);
}

}  // namespace
}  // namespace wsop::providers
