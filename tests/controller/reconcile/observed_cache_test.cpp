// ObservedCache: ages, lists racing with writes, and the single-flight list
// that polls provisioning workspaces.
#include "controller/reconcile/observed_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/common/fake_clock.h"
#include "tests/controller/reconcile/held_gate.h"

namespace wsop::reconcile {
namespace {

using namespace std::chrono_literals;
using fake::FakeClock;
using providers::RemoteWorkspace;

RemoteWorkspace remote(const std::string& id, const std::string& name) {
  RemoteWorkspace ws;
  ws.id = id;
  ws.name = name;
  return ws;
}

// A list that takes `delay` on `clock`, answers one workspace and counts
// its calls. It first waits until the clock has been read `reads` times:
// a test that knows how many reads its callers make before they wait for
// the list under way knows then that they asked while it was under way.
ObservedCache::ListFn counted_list(std::atomic<int>& lists, FakeClock& clock,
                                   std::chrono::milliseconds delay, size_t reads = 0) {
  return [&lists, &clock, delay, reads]() -> Outcome<std::vector<RemoteWorkspace>> {
    ++lists;
    // Bounded: a second list sent alongside this one must not hang the test.
    clock.await_reads(reads, std::chrono::seconds(5));
    clock.advance(delay);
    return std::vector<RemoteWorkspace>{remote("1", "one")};
  };
}

TEST(ObservedCacheTest, WriteNewerThanAListSurvivesIt) {
  ObservedCache cache;
  auto started = cache.clock().now();
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

// Max age 0: only those who asked while the list was under way may use it.
TEST(ObservedCacheTest, ConcurrentRefreshesShareOneList) {
  FakeClock clock;
  ObservedCache cache(clock);
  std::atomic<int> lists{0};
  // refresh() reads the time each caller asked at, then, once it holds the
  // list, when the list started: 16 + 1 reads.
  auto slow_list = counted_list(lists, clock, 100ms, clock.reads() + 16 + 1);
  std::vector<std::thread> callers;
  for (int i = 0; i < 16; ++i) {
    callers.emplace_back([&] { EXPECT_TRUE(cache.refresh("c", 0ms, slow_list).is_ok()); });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(lists.load(), 1);
  EXPECT_EQ(cache.find("c", "1", 10s).remote->name, "one");
}

// A list slower than max_age still serves everyone who asked while it was
// under way: they do not each send it again once it is in.
TEST(ObservedCacheTest, AListSlowerThanMaxAgeServesThoseWhoWaitedForIt) {
  FakeClock clock;
  ObservedCache cache(clock);
  std::atomic<int> lists{0};
  HeldGate under_way;
  auto slow_list = [&]() -> Outcome<std::vector<RemoteWorkspace>> {
    ++lists;
    under_way.hold();
    clock.advance(300ms);
    return std::vector<RemoteWorkspace>{remote("1", "one")};
  };
  std::thread first([&] { EXPECT_TRUE(cache.refresh("c", 200ms, slow_list).is_ok()); });
  under_way.wait_until_held();
  const size_t reads = clock.reads();
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&] { EXPECT_TRUE(cache.refresh("c", 200ms, slow_list).is_ok()); });
  }
  ASSERT_TRUE(clock.await_reads(reads + 8));  // each asked, 300 ms before the list lands
  under_way.release();
  first.join();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(lists.load(), 1);
}

TEST(ObservedCacheTest, RefreshListsAgainOnceTheListIsTooOld) {
  FakeClock clock;
  ObservedCache cache(clock);
  int lists = 0;
  auto list = [&]() -> Outcome<std::vector<RemoteWorkspace>> {
    ++lists;
    return std::vector<RemoteWorkspace>{remote("1", "v" + std::to_string(lists))};
  };
  ASSERT_TRUE(cache.refresh("c", 10ms, list).is_ok());
  clock.advance(10ms);
  ASSERT_TRUE(cache.refresh("c", 10ms, list).is_ok());  // exactly max_age old: fresh
  EXPECT_EQ(lists, 1);
  clock.advance(1ms);
  ASSERT_TRUE(cache.refresh("c", 10ms, list).is_ok());
  EXPECT_EQ(lists, 2);
  EXPECT_EQ(cache.find("c", "1", 1h).remote->name, "v2");
  clock.advance(30min);
  ASSERT_TRUE(cache.refresh("c", 1h, list).is_ok());  // fresh enough: no list
  EXPECT_EQ(lists, 2);
}

TEST(ObservedCacheTest, AnEntryIsFoundOnlyWhileNoOlderThanMaxAge) {
  FakeClock clock;
  ObservedCache cache(clock);
  cache.put_list("c", {remote("1", "listed")});
  clock.advance(5s);
  cache.put("c", remote("2", "written later"));
  clock.advance(5s);
  EXPECT_TRUE(cache.find("c", "1", 10s).remote);
  EXPECT_TRUE(cache.find("c", "1", 10s).listed_fresh);
  EXPECT_FALSE(cache.find("c", "1", 9999ms).remote);
  EXPECT_FALSE(cache.find("c", "1", 9999ms).listed_fresh);
  EXPECT_TRUE(cache.find("c", "2", 5s).remote);  // its own age, not the list's
  EXPECT_FALSE(cache.find("c", "2", 4999ms).remote);
}

TEST(ObservedCacheTest, ListDurationIsTheListsLengthOnTheCachesClock) {
  FakeClock clock;
  ObservedCache cache(clock);
  std::atomic<int> lists{0};
  EXPECT_EQ(cache.list_duration("c"), 0ms);
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, clock, 1234ms)).is_ok());
  EXPECT_EQ(cache.list_duration("c"), 1234ms);
  EXPECT_EQ(cache.listed_at("c"), clock.now() - 1234ms);  // when it was sent
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
  FakeClock clock;
  ObservedCache cache(clock);
  std::atomic<int> lists{0};
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));  // nothing known
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, clock, 300ms)).is_ok());
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));  // no list under way
  clock.advance(1ms);
  HeldGate held;
  std::thread lister([&] { EXPECT_TRUE(cache.refresh("c", 0ms, held_list(held))); });
  held.wait_until_held();
  clock.advance(5ms);
  // As long as the last list took, counted from this one's start.
  EXPECT_EQ(cache.list_lands_in("c", 0ms), 295ms);
  EXPECT_FALSE(cache.list_lands_in("c", 1h));  // fresh enough: nothing to wait for
  held.release();
  lister.join();
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));
}

// Runs `check` while a refresh of "c" is under way, its list held.
template <class Check>
void while_listing(ObservedCache& cache, Check check) {
  HeldGate held;
  std::thread lister([&] { EXPECT_TRUE(cache.refresh("c", 0ms, held_list(held))); });
  held.wait_until_held();
  check();
  held.release();
  lister.join();
}

// An overdue list is looked at again after half the last one's length (at
// least kOverdueRecheck): a caller never waits for it, however long it
// overruns; nor for a first list, with nothing to judge by.
TEST(ObservedCacheTest, AnOverdueListIsLookedAtAgainSoonNotWaitedFor) {
  FakeClock clock;
  ObservedCache cache(clock);
  std::atomic<int> lists{0};
  while_listing(cache,
                [&] { EXPECT_EQ(cache.list_lands_in("c", 0ms), ObservedCache::kOverdueRecheck); });
  clock.advance(1ms);
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, clock, 200ms)).is_ok());
  clock.advance(1ms);
  while_listing(cache, [&] {
    clock.advance(199ms);
    EXPECT_EQ(cache.list_lands_in("c", 0ms), 1ms);
    clock.advance(1ms);                               // the last one's length has passed
    EXPECT_EQ(cache.list_lands_in("c", 0ms), 100ms);  // half of it
    clock.advance(5s);                                // far overdue: still not waited for
    EXPECT_EQ(cache.list_lands_in("c", 0ms), 100ms);
  });
  EXPECT_FALSE(cache.list_lands_in("c", 0ms));  // landed: nothing under way
  ASSERT_TRUE(cache.refresh("c", 0ms, counted_list(lists, clock, 20ms)).is_ok());
  clock.advance(1ms);
  while_listing(cache, [&] {
    clock.advance(30ms);
    EXPECT_EQ(cache.list_lands_in("c", 0ms), ObservedCache::kOverdueRecheck);  // 10 ms is less
  });
}

}  // namespace
}  // namespace wsop::reconcile
