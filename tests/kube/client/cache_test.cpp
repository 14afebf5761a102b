// kube/cache.h: keys, namespaces, the label index kept right through
// updates, the differences a relist produces, and objects kept encoded:
// every read decodes an equal tree of its own, versions read without one.
#include <gtest/gtest.h>

#include "kube/cache.h"

namespace wsop::kube {
namespace {

ObjectPtr cached(const std::string& ns, const std::string& name, const std::string& version,
                 const std::string& team = "") {
  nlohmann::json object = {
      {"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", version}}}};
  if (!team.empty()) object["metadata"]["labels"]["team"] = team;
  return std::make_shared<const nlohmann::json>(std::move(object));
}

std::vector<std::string> names_of(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> names;
  for (const ObjectPtr& object : objects) names.push_back((*object)["metadata"]["name"]);
  return names;
}

TEST(ObjectCacheTest, KeysNamespacesAndTheLabelIndex) {
  ObjectCache cache({"team"});
  EXPECT_FALSE(cache.upsert(cached("a", "x", "1", "red")));
  cache.upsert(cached("a", "y", "2", "blue"));
  cache.upsert(cached("ab", "z", "3", "red"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ((*cache.get("a/x"))["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(names_of(cache.list_namespace("a")), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(names_of(cache.by_label("team", "red")), (std::vector<std::string>{"x", "z"}));
  ObjectPtr old = cache.upsert(cached("a", "x", "4", "blue")).object();  // relabelled
  ASSERT_NE(old, nullptr);
  EXPECT_EQ((*old)["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(names_of(cache.by_label("team", "red")), (std::vector<std::string>{"z"}));
  EXPECT_EQ(names_of(cache.by_label("team", "blue")), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(cache.erase("ab/z"));
  EXPECT_FALSE(cache.erase("ab/z"));
  EXPECT_TRUE(cache.by_label("team", "red").empty());
  // A label that is not indexed is found by a scan.
  ObjectCache plain;
  plain.upsert(cached("a", "x", "1", "red"));
  EXPECT_EQ(names_of(plain.by_label("team", "red")), (std::vector<std::string>{"x"}));
}

// An indexed annotation follows the object through updates, relists and
// deletes, as the state store's lookups by remote id need
// (controller/state/kube_record_view.h: naming).
TEST(ObjectCacheTest, TheAnnotationIndexFollowsUpdatesRelistsAndDeletes) {
  const std::string external = "workspace-operator.io/external-name";
  auto named = [&](const std::string& name, const std::string& version, const std::string& id) {
    nlohmann::json object = {
        {"metadata", {{"namespace", "a"}, {"name", name}, {"resourceVersion", version}}}};
    if (!id.empty()) object["metadata"]["annotations"][external] = id;
    return std::make_shared<const nlohmann::json>(std::move(object));
  };
  ObjectCache cache({}, {external});
  EXPECT_TRUE(cache.indexes_annotation(external));
  EXPECT_FALSE(cache.indexes_annotation("other"));
  cache.upsert(named("x", "1", ""));
  cache.upsert(named("y", "2", "r-1"));
  EXPECT_TRUE(cache.by_annotation(external, "r-0").empty());
  EXPECT_EQ(names_of(cache.by_annotation(external, "r-1")), (std::vector<std::string>{"y"}));
  cache.upsert(named("x", "3", "r-1"));  // the remote id written
  EXPECT_EQ(names_of(cache.by_annotation(external, "r-1")), (std::vector<std::string>{"x", "y"}));
  cache.upsert(named("y", "4", "r-2"));  // changed
  EXPECT_EQ(names_of(cache.by_annotation(external, "r-1")), (std::vector<std::string>{"x"}));
  EXPECT_EQ(names_of(cache.by_annotation(external, "r-2")), (std::vector<std::string>{"y"}));
  cache.replace({named("y", "4", "r-2"), named("z", "5", "r-1")});  // x gone, z new
  EXPECT_EQ(names_of(cache.by_annotation(external, "r-1")), (std::vector<std::string>{"z"}));
  cache.erase("a/z");
  EXPECT_TRUE(cache.by_annotation(external, "r-1").empty());
  EXPECT_TRUE(ObjectCache().by_annotation(external, "r-2").empty());  // not indexed
}

TEST(ObjectCacheTest, ReplaceYieldsAddsUpdatesAndDeletes) {
  ObjectCache cache({"team"});
  cache.upsert(cached("n", "kept", "1"));
  cache.upsert(cached("n", "changed", "2"));
  cache.upsert(cached("n", "gone", "3", "red"));
  auto changes = cache.replace(
      {cached("n", "kept", "1"), cached("n", "changed", "5"), cached("n", "new", "6")});
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].kind, ObjectCache::Change::Kind::kUpdate);
  EXPECT_EQ((*changes[0].old.object())["metadata"]["resourceVersion"], "2");
  EXPECT_EQ((*changes[0].new_object)["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(changes[1].kind, ObjectCache::Change::Kind::kAdd);
  EXPECT_EQ(changes[2].kind, ObjectCache::Change::Kind::kDelete);
  EXPECT_EQ((*changes[2].old.object())["metadata"]["name"], "gone");
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.get("n/gone"), nullptr);
  EXPECT_TRUE(cache.by_label("team", "red").empty());
}

TEST(ObjectCacheTest, KeepsObjectsEncodedAndEachReadDecodesItsOwnCopy) {
  ObjectCache cache;
  nlohmann::json object = {
      {"metadata", {{"namespace", "a"}, {"name", "x"}, {"resourceVersion", "7"}}},
      {"spec",
       {{"cpus", 2}, {"ratio", 0.5}, {"on", true}, {"tags", {"p", "q"}}, {"none", nullptr}}}};
  ObjectPtr given = std::make_shared<const nlohmann::json>(object);
  cache.upsert(given);
  ObjectPtr first = cache.get("a/x");
  ObjectPtr second = cache.get("a/x");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*first, object);  // every type round-trips
  EXPECT_EQ(*second, object);
  EXPECT_NE(first, second);  // each reader owns its tree
  EXPECT_NE(first, given);
  std::string version;
  ASSERT_TRUE(cache.resource_version("a/x", version));
  EXPECT_EQ(version, "7");
  EXPECT_FALSE(cache.resource_version("a/y", version));
  cache.upsert(cached("a", "w", "9"));
  EXPECT_EQ(cache.versions(),
            (std::vector<std::pair<std::string, std::string>>{{"a/w", "9"}, {"a/x", "7"}}));
  // A later write changes nothing a reader already holds.
  ObjectPtr replaced = cache.upsert(cached("a", "x", "8")).object();
  EXPECT_EQ(*replaced, object);
  EXPECT_EQ((*first)["metadata"]["resourceVersion"], "7");
  ASSERT_TRUE(cache.resource_version("a/x", version));
  EXPECT_EQ(version, "8");
}

// The encoding is MessagePack: smaller than the JSON text (no quotes,
// colons or commas; numbers in binary); bytes it did not write decode to
// nothing rather than to garbage.
TEST(ObjectCacheTest, TheEncodingIsSmallerThanTheTextAndRefusesForeignBytes) {
  nlohmann::json object = {{"metadata", {{"namespace", "a"}, {"name", "x"}}}};
  for (int i = 0; i < 20; ++i) {
    object["status"]["conditions"].push_back(
        {{"type", "Ready"}, {"status", "True"}, {"observedGeneration", i}});
  }
  std::shared_ptr<const std::string> encoded = encode_object(object);
  ASSERT_NE(encoded, nullptr);
  EXPECT_LT(encoded->size(), object.dump().size());
  EXPECT_EQ(*decode_object(encoded), object);
  EXPECT_EQ(decode_object(nullptr), nullptr);
  EXPECT_EQ(decode_object(std::make_shared<const std::string>("{\"a\":1}")), nullptr);
  std::string truncated = *encoded;
  truncated.resize(truncated.size() / 2);
  EXPECT_EQ(decode_object(std::make_shared<const std::string>(truncated)), nullptr);
}

}  // namespace
}  // namespace wsop::kube
