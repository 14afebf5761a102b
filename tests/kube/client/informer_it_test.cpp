// kube/informer.h against the Kubernetes API double: one list, then only
// watches (counted on the double); the first list at resourceVersion 0,
// whole, a relist at the latest version, in pages; handlers in order; a dropped watch
// resumes from the last resourceVersion without a relist; a compaction
// while disconnected ends in 410 and a relist whose differences reach the
// handlers (the deletes included); stop() prompt while a read is blocked.
#include <gtest/gtest.h>

#include <memory>

#include "kube/informer.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::kube {
namespace {

using kubetest::client_from_kubeconfig;
using kubetest::double_count;
using kubetest::EventLog;
using kubetest::eventually;
using kubetest::kWorkspaceResource;
using kubetest::workspace_object;
using namespace std::chrono_literals;

std::string name_of(const ObjectPtr& object) {
  return (*object)["metadata"]["name"];
}

class InformerItTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    client_ = client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }
  void TearDown() override {
    if (informer_) informer_->stop();
  }

  void create(const std::string& name, const std::string& team = "research") {
    Outcome<Json> created =
        client_->create(kWorkspaceResource, "default", workspace_object(name, team));
    ASSERT_TRUE(created) << created.status().to_string();
  }

  void start_informer(InformerOptions options = {}, bool reads_old_object = true) {
    options.resource = kWorkspaceResource;
    options.namespace_name = "default";
    options.indexed_labels = {"team"};
    options.page_size = 2;  // several pages for a few objects
    EventHandlers handlers;
    handlers.on_add = [this](const ObjectPtr& o) { log_.add("add " + name_of(o)); };
    handlers.on_update = [this, reads_old_object](const ObjectPtr& old_object,
                                                  const ObjectPtr& new_object) {
      if (reads_old_object) {
        EXPECT_EQ(name_of(old_object), name_of(new_object));
        EXPECT_NE(object_resource_version(*old_object), object_resource_version(*new_object));
      } else {
        EXPECT_EQ(old_object, nullptr);  // not decoded for a handler that does not read it
      }
      log_.add("update " + name_of(new_object));
    };
    handlers.reads_old_object = reads_old_object;
    handlers.on_delete = [this](const ObjectPtr& o) { log_.add("delete " + name_of(o)); };
    informer_ = std::make_unique<Informer>(client_, options, handlers);
    informer_->start();
    ASSERT_TRUE(informer_->wait_for_sync(30s)) << informer_->last_error();
  }

  kubetest::KubeDouble kube_;
  std::shared_ptr<Client> client_;
  EventLog log_;
  std::unique_ptr<Informer> informer_;
};

TEST_F(InformerItTest, ListsOnceThenOnlyWatches) {
  for (const char* name : {"a", "b", "c", "d", "e"}) create(name);
  start_informer();
  EXPECT_TRUE(informer_->has_synced());
  EXPECT_EQ(log_.entries(),
            (std::vector<std::string>{"add a", "add b", "add c", "add d", "add e"}));
  EXPECT_EQ(informer_->list().size(), 5u);
  ASSERT_TRUE(kube_.reset_stats());
  create("f", "blue");
  ASSERT_TRUE(
      client_->patch(kWorkspaceResource, "default", "a", {{"spec", {{"description", "x"}}}}));
  ASSERT_TRUE(client_->remove(kWorkspaceResource, "default", "b"));
  ASSERT_TRUE(log_.wait_for("delete b"));
  std::vector<std::string> entries = log_.entries();
  EXPECT_EQ(std::vector<std::string>(entries.begin() + 5, entries.end()),
            (std::vector<std::string>{"add f", "update a", "delete b"}));
  EXPECT_EQ(informer_->get("default", "b"), nullptr);
  ASSERT_NE(informer_->get("default", "a"), nullptr);
  EXPECT_EQ((*informer_->get("default", "a"))["spec"]["description"], "x");
  EXPECT_EQ(informer_->cache().by_label("team", "blue").size(), 1u);
  EXPECT_EQ(double_count(kube_, "list workspaces"), 0);  // nothing but the watch since
  EXPECT_EQ(informer_->stats().lists, 1u);
  EXPECT_EQ(informer_->stats().relists, 0u);
}

// A handler that does not read the replaced object gets null for it: the
// cache does not decode it (kube/cache.h). The update arrives all the same.
TEST_F(InformerItTest, AnUpdateCarriesNoOldObjectForAHandlerThatDoesNotReadIt) {
  create("a");
  start_informer({}, /*reads_old_object=*/false);
  ASSERT_TRUE(
      client_->patch(kWorkspaceResource, "default", "a", {{"spec", {{"description", "x"}}}}));
  ASSERT_TRUE(log_.wait_for("update a"));
  EXPECT_EQ((*informer_->get("default", "a"))["spec"]["description"], "x");
}

// client-go's reflector lists first at resourceVersion "0", which the API
// server answers whole from its watch cache: one request, not one per page.
TEST_F(InformerItTest, TheFirstListIsOneRequestWhateverThePageSize) {
  for (const char* name : {"a", "b", "c", "d", "e"}) create(name);
  ASSERT_TRUE(kube_.reset_stats());
  start_informer();  // page size 2
  EXPECT_EQ(informer_->list().size(), 5u);
  EXPECT_EQ(double_count(kube_, "list workspaces"), 1);
}

TEST_F(InformerItTest, BookmarksAdvanceTheResourceVersionWithoutEvents) {
  create("a");
  start_informer();
  const std::string synced_at = informer_->last_resource_version();
  // A change the informer does not watch moves the global resourceVersion on.
  ASSERT_TRUE(kube_.create_namespace("elsewhere"));
  Json other = workspace_object("other");
  other["metadata"]["namespace"] = "elsewhere";
  ASSERT_TRUE(client_->create(kWorkspaceResource, "elsewhere", other));
  const std::string now = (*kube_.stats())["resourceVersion"];
  ASSERT_TRUE(eventually([&] { return informer_->last_resource_version() == now; }))
      << informer_->last_resource_version() << " vs " << now;
  EXPECT_NE(synced_at, now);
  EXPECT_GT(informer_->stats().bookmarks, 0u);
  EXPECT_EQ(log_.entries(), (std::vector<std::string>{"add a"}));
}

TEST_F(InformerItTest, ADroppedWatchResumesFromTheLastVersionWithoutARelist) {
  create("a");
  InformerOptions options;
  options.min_backoff = 50ms;
  start_informer(options);
  ASSERT_TRUE(kube_.reset_stats());
  for (bool abrupt : {true, false}) {
    ASSERT_TRUE(eventually([&] { return (*kube_.stats())["openWatches"] == 1; }));
    ASSERT_TRUE(kube_.drop_watches(abrupt));
    const std::string name = abrupt ? "after-abrupt-drop" : "after-clean-end";
    create(name);
    ASSERT_TRUE(log_.wait_for("add " + name));
  }
  EXPECT_EQ(double_count(kube_, "list workspaces"), 0);
  EXPECT_GE(double_count(kube_, "watch workspaces"), 2);
  EXPECT_EQ(informer_->stats().lists, 1u);
  // Resumed, not replayed: each object was added once.
  std::vector<std::string> entries = log_.entries();
  EXPECT_EQ(std::count(entries.begin(), entries.end(), "add a"), 1);
}

TEST_F(InformerItTest, ACompactionWhileDisconnectedRelistsWithTheRightDeletes) {
  for (const char* name : {"keep", "change", "remove"}) create(name);
  InformerOptions options;
  options.min_backoff = 50ms;
  options.max_backoff = 200ms;
  start_informer(options);
  // Keep the informer from watching while the world moves on.
  ASSERT_TRUE(kube_.fail({{"count", 1000000}, {"code", 500}, {"verbs", {"watch"}}}));
  ASSERT_TRUE(kube_.drop_watches(true));
  ASSERT_TRUE(eventually([&] { return (*kube_.stats())["openWatches"] == 0; }));
  ASSERT_TRUE(client_->remove(kWorkspaceResource, "default", "remove"));
  ASSERT_TRUE(
      client_->patch(kWorkspaceResource, "default", "change", {{"spec", {{"description", "y"}}}}));
  create("new");
  ASSERT_TRUE(kube_.compact());
  ASSERT_TRUE(kube_.reset_stats());
  ASSERT_TRUE(kube_.stop_failing());
  ASSERT_TRUE(log_.wait_for("delete remove"));
  ASSERT_TRUE(log_.wait_for("add new"));
  ASSERT_TRUE(log_.wait_for("update change"));
  EXPECT_FALSE(log_.contains("update keep"));  // unchanged: no event
  EXPECT_EQ(informer_->stats().relists, 1u);
  // After a 410 the relist reads the latest version, from storage: in
  // pages of two for the three Workspaces.
  EXPECT_EQ(double_count(kube_, "list workspaces"), 2);
  EXPECT_EQ(informer_->list().size(), 3u);
  EXPECT_EQ(informer_->get("default", "remove"), nullptr);
}

TEST_F(InformerItTest, StopReturnsPromptlyWhileAReadIsBlocked) {
  create("a");
  InformerOptions options;
  options.min_watch_timeout = 600s;
  options.max_watch_timeout = 600s;
  start_informer(options);
  ASSERT_TRUE(eventually([&] { return (*kube_.stats())["openWatches"] == 1; }));
  auto start = std::chrono::steady_clock::now();
  informer_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  create("after-stop");
  EXPECT_FALSE(log_.wait_for("add after-stop", 300ms));
}

TEST_F(InformerItTest, StopDuringABackoffIsPrompt) {
  ASSERT_TRUE(kube_.fail({{"count", 1000000}, {"code", 500}, {"verbs", {"list"}}}));
  InformerOptions options;
  options.resource = kWorkspaceResource;
  options.min_backoff = 20s;
  ClientOptions no_retry;
  no_retry.retry.max_attempts = 1;
  informer_ =
      std::make_unique<Informer>(client_from_kubeconfig(kube_, no_retry), options, EventHandlers{});
  informer_->start();
  ASSERT_TRUE(eventually([&] { return !informer_->last_error().empty(); }));
  EXPECT_FALSE(informer_->has_synced());
  auto start = std::chrono::steady_clock::now();
  informer_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(informer_->wait_for_sync(10ms));
}

}  // namespace
}  // namespace wsop::kube
