// kube/event_recorder.h against the Kubernetes API double: a repeated event
// is one Event whose series.count rises; different reasons are different
// Events, which `kubectl get events` shows; the note is cut to 1 KiB; the
// per-object token bucket drops creates beyond its burst; a full queue drops
// without blocking; stop() writes the pending series, and gives up promptly
// when the API keeps failing.
#include <gtest/gtest.h>
#include <stdio.h>

#include <array>

#include "kube/errors.h"
#include "kube/event_recorder.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::kube {
namespace {

using kubetest::client_from_kubeconfig;
using namespace std::chrono_literals;

ObjectReference workspace_ref(const std::string& name) {
  return {"workspace-operator.io/v1alpha1", "Workspace", "default", name, "uid-" + name, "17"};
}

class EventRecorderItTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    client_ = client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }

  std::unique_ptr<EventRecorder> recorder(EventRecorderOptions options = {}) {
    options.reporting_instance = "replica-a";
    Outcome<RestConfig> rest = load_kubeconfig({kube_.kubeconfig_path()}, "");
    EXPECT_TRUE(rest) << rest.status().to_string();
    if (!rest) return nullptr;
    auto made = EventRecorder::create(*rest, std::move(options));
    EXPECT_TRUE(made) << made.status().to_string();
    return made ? std::move(*made) : nullptr;
  }

  Json events() {
    Outcome<Json> list = client_->list(kEventResource, "default");
    EXPECT_TRUE(list) << list.status().to_string();
    return list ? (*list)["items"] : Json::array();
  }

  // kubectl as a user runs it; stdout and stderr.
  std::string kubectl(const std::string& args) {
    std::string command =
        "/usr/bin/kubectl --kubeconfig " + kube_.kubeconfig_path() + " " + args + " 2>&1";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    std::array<char, 4096> buffer{};
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
      out.append(buffer.data(), n);
    pclose(pipe);
    return out;
  }

  kubetest::KubeDouble kube_;
  std::shared_ptr<Client> client_;
};

TEST_F(EventRecorderItTest, ARepeatedEventIsOneEventWhoseSeriesCountRises) {
  EventRecorderOptions options;
  options.series_interval = 0ms;  // a patch for every repeat
  auto events_out = recorder(options);
  ASSERT_TRUE(events_out);
  events_out->start();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(events_out->record(workspace_ref("ml"), EventType::kWarning, "CreateFailed",
                                   "Create", "Paradigm answered 503"));
  ASSERT_TRUE(events_out->wait_idle(10s));
  Json items = events();
  ASSERT_EQ(items.size(), 1u) << items.dump();
  Json event = items[0];
  EXPECT_EQ(event["series"]["count"], 3);
  EXPECT_TRUE(event["series"].contains("lastObservedTime"));
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["reason"], "CreateFailed");
  EXPECT_EQ(event["action"], "Create");
  EXPECT_EQ(event["note"], "Paradigm answered 503");
  EXPECT_EQ(event["reportingController"], "workspace-operator.io/controller");
  EXPECT_EQ(event["reportingInstance"], "replica-a");
  EXPECT_EQ(event["regarding"]["kind"], "Workspace");
  EXPECT_EQ(event["regarding"]["uid"], "uid-ml");
  EXPECT_EQ(event["regarding"]["resourceVersion"], "17");
  EXPECT_EQ(event["metadata"]["name"].get<std::string>().rfind("ml.", 0), 0u);

  ASSERT_TRUE(events_out->record(workspace_ref("ml"), EventType::kWarning, "CreateFailed", "Create",
                                 "Paradigm answered 503"));
  ASSERT_TRUE(events_out->wait_idle(10s));
  items = events();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["series"]["count"], 4);
  EventRecorderStats stats = events_out->stats();
  EXPECT_EQ(stats.created, 1u);
  EXPECT_EQ(stats.deduplicated, 3u);
  EXPECT_EQ(stats.series_updates, 3u);
}

TEST_F(EventRecorderItTest, DifferentReasonsAreDifferentEventsThatKubectlShows) {
  auto events_out = recorder();
  ASSERT_TRUE(events_out);
  events_out->start();
  events_out->record(workspace_ref("ml"), EventType::kNormal, "Created", "Create",
                     "created remote workspace pd-1");
  events_out->record(workspace_ref("ml"), EventType::kNormal, "Updated", "Update",
                     "updated remote workspace pd-1");
  events_out->record(workspace_ref("ml"), EventType::kNormal, "Updated", "Update",
                     "updated remote workspace pd-1 again");  // another note: another Event
  ASSERT_TRUE(events_out->wait_idle(10s));
  EXPECT_EQ(events().size(), 3u);
  std::string table = kubectl("get events -n default");
  EXPECT_NE(table.find("Created"), std::string::npos) << table;
  EXPECT_NE(table.find("Updated"), std::string::npos) << table;
  EXPECT_NE(table.find("workspace/ml"), std::string::npos) << table;
  EXPECT_NE(table.find("created remote workspace pd-1"), std::string::npos) << table;
}

TEST_F(EventRecorderItTest, TheNoteIsCutToOneKibibyteOnACharacterBoundary) {
  auto events_out = recorder();
  ASSERT_TRUE(events_out);
  events_out->start();
  std::string note = "x";
  for (int i = 0; i < 1000; ++i) note += "\xc3\xa9";  // é: the cut falls inside one
  events_out->record(workspace_ref("ml"), EventType::kWarning, "Failed", "Update", note);
  ASSERT_TRUE(events_out->wait_idle(10s));
  Json items = events();
  ASSERT_EQ(items.size(), 1u);
  std::string stored = items[0]["note"];
  EXPECT_EQ(stored.size(), 1023u);  // "x" + 511 whole characters
  EXPECT_EQ(stored, note.substr(0, 1023));
}

TEST_F(EventRecorderItTest, AnObjectBeyondItsBurstHasItsNewEventsDropped) {
  EventRecorderOptions options;
  options.burst = 3;
  options.refill_interval = 1h;
  auto events_out = recorder(options);
  ASSERT_TRUE(events_out);
  events_out->start();
  for (int i = 0; i < 5; ++i)
    events_out->record(workspace_ref("ml"), EventType::kNormal, "Reason" + std::to_string(i),
                       "Sync", "note");
  events_out->record(workspace_ref("other"), EventType::kNormal, "Reason0", "Sync", "note");
  ASSERT_TRUE(events_out->wait_idle(10s));
  EXPECT_EQ(events().size(), 4u);  // 3 for ml, 1 for other
  EXPECT_EQ(events_out->stats().dropped_rate_limited, 2u);
}

TEST_F(EventRecorderItTest, AFullQueueDropsWithoutBlocking) {
  EventRecorderOptions options;
  options.queue_capacity = 5;
  auto events_out = recorder(options);
  ASSERT_TRUE(events_out);
  // Not started yet: nothing drains the queue.
  auto began = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 0; i < 50; ++i)
    accepted += events_out->record(workspace_ref("ml"), EventType::kNormal,
                                   "Reason" + std::to_string(i), "Sync", "note");
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(events_out->stats().dropped_queue_full, 45u);
  events_out->start();
  ASSERT_TRUE(events_out->wait_idle(10s));
  EXPECT_EQ(events().size(), 5u);
}

TEST_F(EventRecorderItTest, StopWritesThePendingSeries) {
  EventRecorderOptions options;
  options.series_interval = 1h;  // repeats are only counted until stop()
  auto events_out = recorder(options);
  ASSERT_TRUE(events_out);
  events_out->start();
  for (int i = 0; i < 4; ++i)
    events_out->record(workspace_ref("ml"), EventType::kNormal, "Resynced", "Sync", "no drift");
  ASSERT_TRUE(events_out->wait_idle(10s));
  Json items = events();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items[0].contains("series"));
  events_out->stop();
  items = events();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["series"]["count"], 4);
  EXPECT_FALSE(events_out->record(workspace_ref("ml"), EventType::kNormal, "Late", "Sync", "x"));
}

TEST_F(EventRecorderItTest, StopGivesUpPromptlyWhenTheApiKeepsFailing) {
  // 429 with Retry-After: the client waits and retries even a create.
  ASSERT_TRUE(
      kube_.fail({{"ratio", 1.0}, {"code", 429}, {"retryAfter", 2}, {"resources", {"events"}}}));
  auto events_out = recorder();
  ASSERT_TRUE(events_out);
  events_out->start();
  for (int i = 0; i < 20; ++i)
    events_out->record(workspace_ref("ml"), EventType::kWarning, "Reason" + std::to_string(i),
                       "Sync", "note");
  auto began = std::chrono::steady_clock::now();
  events_out->stop(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 4s);
  EventRecorderStats stats = events_out->stats();
  EXPECT_EQ(stats.created, 0u);
  EXPECT_GT(stats.dropped_on_stop, 0u);
  EXPECT_EQ(stats.failed + stats.dropped_on_stop, 20u);
}

}  // namespace
}  // namespace wsop::kube
