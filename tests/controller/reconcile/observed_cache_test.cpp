// ObservedCache: ages, lists racing with writes, and the single-flight list
// that polls provisioning workspaces.
#include "controller/reconcile/observed_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/controller/reconcile/held_gate.h"

namespace wsop::reconcile {
namespace {

using namespace std::chrono_literals;
using providers::RemoteWorkspace;

RemoteWorkspace remote(const std::string& id, const std::string& name) {
  RemoteWorkspace ws;
  ws.id = id;
  ws.name = name;
  return ws;
}

// A list that takes `delay`, answers one workspace and counts its calls.
ObservedCache::ListFn counted_list(std::atomic<int>& lists, std::chrono::milliseconds delay) {
  return [&lists, delay]() -> Outcome<std::vector<RemoteWorkspace>> {
    ++lists;
    std::this_thread::sleep_for(delay);
    return std::vector<RemoteWorkspace>{remote("1", "one")};
  };
}

TEST(ObservedCacheTest, WriteNewerThanAListSurvivesIt) {
  ObservedCache cache;
  auto started = ObservedCache::Clock::now();
  cache.put("c", remote("1", "written after the list began"));
  cache.put_list("c", {remote("1", "stale"), remote("2", "listed")}, started);
  EXPECT_EQ(cache.find("c", "1", 1h).remote->name, "written after the list began");
  EXPECT_EQ(cache.find("c", "2", 1h).remote->name, "listed");
  EXPECT_TRUE(cache.find("c", "2", 1h).listed_fresh);
  EXPECT_FALSE(cache.find("other", "2", 1h).remote.has_value());
}

std::vector<std::string> ids_of(const std::vector<RemoteWorkspace>& found) {
  std::vector<std::string> ids;
  for (const auto& ws : found) ids.push_back(ws.id);
  return ids;
}

providers::ExistingIdentity named(const std::string& name) {
  providers::ExistingIdentity identity;
  identity.name = name;
  identity.matches = [name](const RemoteWorkspace& ws) { return ws.name == name; };
  return identity;
}

// The index a first create reads must follow every put, list and erase:
// a stale entry there would hide a workspace and let a duplicate through.
TEST(ObservedCacheTest, FindAllByNameFollowsPutsListsAndErases) {
  ObservedCache cache;
  cache.put_list("c", {remote("3", "a"), remote("1", "a"), remote("2", "b")});
  EXPECT_EQ(ids_of(cache.find_all("c", named("a"))), (std::vector<std::string>{"1", "3"}));
  cache.put("c", remote("1", "renamed"));  // 1 is no longer an "a"
  cache.put("c", remote("4", "a"));
  EXPECT_EQ(ids_of(cache.find_all("c", named("a"))), (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(ids_of(cache.find_all("c", named("renamed"))), (std::vector<std::string>{"1"}));
  cache.erase("c", "3");
  EXPECT_EQ(ids_of(cache.find_all("c", named("a"))), (std::vector<std::string>{"4"}));
  cache.put_list("c", {remote("5", "a")});  // the list replaces what was known
  EXPECT_EQ(ids_of(cache.find_all("c", named("a"))), (std::vector<std::string>{"5"}));
  EXPECT_TRUE(cache.find_all("c", named("renamed")).empty());
  EXPECT_TRUE(cache.find_all("other", named("a")).empty());
}

TEST(ObservedCacheTest, FindAllByExternalIdStillAsksMatches) {
  ObservedCache cache;
  RemoteWorkspace owned = remote("1", "x"), foreign = remote("2", "x");
  owned.external_id = foreign.external_id = "ext";
  owned.labels["owner"] = "me";
  cache.put_list("c", {owned, foreign});
  providers::ExistingIdentity identity;
  identity.external_id = "ext";
  identity.matches = [](const RemoteWorkspace& ws) { return ws.labels.count("owner") > 0; };
  EXPECT_EQ(ids_of(cache.find_all("c", identity)), (std::vector<std::string>{"1"}));
  identity.external_id.reset();  // no hint: every entry is asked
  EXPECT_EQ(ids_of(cache.find_all("c", identity)), (std::vector<std::string>{"1"}));
}

TEST(ObservedCacheTest, ConcurrentRefreshesShareOneList) {
  ObservedCache cache;
  std::atomic<int> lists{0};
  auto slow_list = counted_list(lists, 100ms);
  std::vector<std::thread> callers;
  for (int i = 0; i < 16; ++i) {
    callers.emplace_back([&] { EXPECT_TRUE(cache.refresh("c", 10s, slow_list).is_ok()); });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(lists.load(), 1);
  EXPECT_EQ(cache.find("c", "1", 10s).remote->name, "one");
}

// A list slower than max_age still serves everyone who asked while it was
// under way: they do not each send it again once it is in.
TEST(ObservedCacheTest, AListSlowerThanMaxAgeServesThoseWhoWaitedForIt) {
  ObservedCache cache;
  std::atomic<int> lists{0};
  auto slow_list = counted_list(lists, 300ms);
  std::thread first([&] { EXPECT_TRUE(cache.refresh("c", 200ms, slow_list).is_ok()); });
  std::this_thread::sleep_for(50ms);  // the list is under way
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&] { EXPECT_TRUE(cache.refresh("c", 200ms, slow_list).is_ok()); });
  }
  first.join();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(lists.load(), 1);
}

TEST(ObservedCacheTest, RefreshListsAgainOnceTheListIsTooOld) {
  ObservedCache cache;
  int lists = 0;
  auto list = [&]() -> Outcome<std::vector<RemoteWorkspace>> {
    ++lists;
    return std::vector<RemoteWorkspace>{remote("1", "v" + std::to_string(lists))};
  };
  ASSERT_TRUE(cache.refresh("c", 0ms, list).is_ok());
  std::this_thread::sleep_for(2ms);
  ASSERT_TRUE(cache.refresh("c", 0ms, list).is_ok());
  EXPECT_EQ(lists, 2);
  EXPECT_EQ(cache.find("c", "1", 1h).remote->name, "v2");
  ASSERT_TRUE(cache.refresh("c", 1h, list).is_ok());  // fresh enough: no list
  EXPECT_EQ(lists, 2);
}

TEST(ObservedCacheTest, FailedRefreshKeepsWhatWasKnown) {
  ObservedCache cache;
  cache.put("c", remote("1", "known"));
  Status failed = cache.refresh("c", 0ms, []() -> Outcome<std::vector<RemoteWorkspace>> {
    return Status::error(Code::kTransient, "HTTP 503");
  });
  EXPECT_EQ(failed.code(), Code::kTransient);
  EXPECT_EQ(cache.find("c", "1", 1h).remote->name, "known");
  EXPECT_FALSE(cache.find("c", "1", 1h).listed_fresh);
}

// A list held at `gate` once it is sent, so that a test can look at the
// cache while it is under way.
ObservedCache::ListFn held_list(HeldGate& gate) {
  return [&gate]() -> Outcome<std::vector<RemoteWorkspace>> {
    gate.hold();
    return std::vector<RemoteWorkspace>{remote("1", "one")};
  };
}

TEST(ObservedCacheTest, ListLandsInTellsHowLongTheListUnderWayShouldTake) {
  ObservedCache cache;
  std::atomic<int> lists{0};
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));  // nothing known
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, 300ms)).is_ok());
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));  // no list under way
  HeldGate held;
  std::thread lister([&] { EXPECT_TRUE(cache.refresh("c", 0ms, held_list(held))); });
  held.wait_until_held();
  std::this_thread::sleep_for(5ms);
  auto lands = cache.list_lands_in("c", 0ms);
  ASSERT_TRUE(lands) << "the last list took " << cache.list_duration("c").count() << " ms";
  EXPECT_GT(*lands, 0ms);
  // As long as the last list took, counted from this one's start.
  EXPECT_LT(*lands, cache.list_duration("c"));
  EXPECT_FALSE(cache.list_lands_in("c", 1h));  // fresh enough: nothing to wait for
  held.release();
  lister.join();
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));
}

TEST(ObservedCacheTest, AnOverdueListIsNotPromisedToLand) {
  ObservedCache cache;
  std::atomic<int> lists{0};
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, 1ms)).is_ok());
  HeldGate held;
  std::thread lister([&] { EXPECT_TRUE(cache.refresh("c", 0ms, held_list(held))); });
  held.wait_until_held();
  std::this_thread::sleep_for(cache.list_duration("c") + 20ms);  // past the last one's length
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));                   // callers wait for it instead
  held.release();
  lister.join();
}

}  // namespace
}  // namespace wsop::reconcile
