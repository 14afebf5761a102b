// The one-shot session's policy (controller/runtime/session.h): which list
// failures make a ProviderConfig unusable, what setting one aside does to
// the plan and the store, planning from the state store's observations,
// the selection, the credentials check and the run through the runner.
// A FakeProvider stands behind the registry; the store is SQLite in a
// temporary directory.
#include "controller/runtime/session.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::runtime {
namespace {

using reconcile::Forwarder;
using testing::FakeProvider;

// The fake's lists answer `list_status` when it is set.
class ListFailing : public Forwarder {
 public:
  ListFailing(FakeProvider* fake, const std::optional<Status>* list_status)
      : Forwarder(fake), list_status_(list_status) {}
  Outcome<std::vector<providers::RemoteWorkspace>> list(
      const std::vector<const model::Workspace*>& d) override {
    if (*list_status_) return **list_status_;
    return Forwarder::list(d);
  }

 private:
  const std::optional<Status>* list_status_;
};

std::string workspace_doc(const std::string& name, const std::string& labels = "{}") {
  return "---\napiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata: {name: " +
         name + ", labels: " + labels +
         "}\nspec:\n  providerConfigRef: {name: fake}\n  displayName: " + name + "\n";
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wsop-session-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    registry_.add("cadenya", [this](const model::ProviderConfig&, std::unique_ptr<http::Client>,
                                    const providers::ProviderContext&) {
      return Outcome<std::unique_ptr<providers::Provider>>(
          std::make_unique<ListFailing>(&fake_, &list_status_));
    });
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SessionOptions options() {
    SessionOptions out;
    out.state.path = (dir_ / "state.db").string();
    out.instance_id = "test";
    out.registry = &registry_;
    return out;
  }
  static manifest::ManifestSet source(const std::string& workspaces) {
    auto loaded =
        manifest::load_texts({{"test.yaml", std::string(reconcile::kConfig) + workspaces}});
    EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
    return std::move(loaded.set);
  }
  std::unique_ptr<Session> open(const std::string& workspaces, SessionOptions opts) {
    auto session = Session::open(std::move(opts), source(workspaces));
    EXPECT_TRUE(session) << session.status().to_string();
    return session ? std::move(*session) : nullptr;
  }
  std::unique_ptr<Session> open(const std::string& workspaces) {
    return open(workspaces, options());
  }
  // Plans and runs workspaces to the end, then closes the session: the
  // store holds their records for the session a test opens next.
  void apply_all(const std::string& workspaces) {
    auto session = open(workspaces);
    ASSERT_TRUE(session);
    auto plan = session->plan(false);
    ASSERT_TRUE(plan);
    ASSERT_TRUE(session->run(*plan, {}).failures.empty());
  }
  size_t record_count(Session& session) {
    auto records = session.store().list({});
    EXPECT_TRUE(records);
    return records ? records->size() : 0;
  }

  std::filesystem::path dir_;
  FakeProvider fake_;
  std::optional<Status> list_status_;
  providers::Registry registry_;
};

TEST(IsConfigurationFailure, OnlyWhatRetryingWillNotMend) {
  const struct {
    Code code;
    bool configuration;
  } cases[] = {
      {Code::kUnauthorized, true}, {Code::kForbidden, true},    {Code::kInvalid, true},
      {Code::kTransient, false},   {Code::kRateLimited, false}, {Code::kNotFound, false},
      {Code::kConflict, false},    {Code::kAmbiguous, false},   {Code::kInternal, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_configuration_failure(Status::error(c.code, "x")), c.configuration)
        << code_name(c.code);
  }
}

// What each failed list makes of the ProviderConfig, for apply (only
// configuration failures) and diff (every failure).
TEST_F(SessionTest, SetAsideDecidesByTheFailureAndTheCommand) {
  const struct {
    Code code;
    bool only_configuration;
    const char* expected;  // the start of why; "" when not set aside
  } cases[] = {
      {Code::kUnauthorized, true, "cannot be used: "},
      {Code::kForbidden, false, "cannot be used: "},
      {Code::kInvalid, true, "cannot be used: "},
      {Code::kTransient, true, ""},
      {Code::kTransient, false, "could not be observed: "},
      {Code::kRateLimited, false, "could not be observed: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(code_name(c.code)) + (c.only_configuration ? " apply" : " diff"));
    auto session = open(workspace_doc("ws"));
    ASSERT_TRUE(session);
    auto unusable = session->set_aside_unusable({{"fake", Status::error(c.code, "boom")}},
                                                c.only_configuration);
    if (std::string(c.expected).empty()) {
      EXPECT_TRUE(unusable.empty());
      continue;
    }
    ASSERT_EQ(unusable.size(), 1u);
    EXPECT_EQ(unusable[0].name, "fake");
    EXPECT_EQ(unusable[0].why.message().rfind(c.expected, 0), 0u) << unusable[0].why.message();
    EXPECT_NE(unusable[0].why.message().find("boom"), std::string::npos);
  }
}

TEST_F(SessionTest, AnUnusableConfigsWorkspacesPlanAsUnknownAndNothingIsRecorded) {
  list_status_ = Status::error(Code::kUnauthorized, "HTTP 401");
  auto session = open(workspace_doc("a") + workspace_doc("b"));
  ASSERT_TRUE(session);
  auto failed = session->observe_all();
  ASSERT_EQ(failed.count("fake"), 1u);
  auto unusable = session->set_aside_unusable(failed, /*only_configuration=*/true);
  ASSERT_EQ(unusable.size(), 1u);
  auto plan = session->plan(/*prune=*/false);
  ASSERT_TRUE(plan) << plan.status().to_string();
  ASSERT_EQ(plan->items.size(), 2u);
  for (const auto& item : plan->items) EXPECT_TRUE(item.unobserved) << item.key.to_string();
  EXPECT_EQ(unknown_by_config(*plan), (std::map<std::string, size_t>{{"fake", 2}}));
  EXPECT_EQ(drop_unusable(*plan, unusable), 2u);
  EXPECT_TRUE(plan->items.empty());
  auto result = session->run(*plan, {});
  EXPECT_TRUE(result.idle);
  EXPECT_EQ(record_count(*session), 0u);
  EXPECT_EQ(fake_.gets + fake_.writes(), 0);
}

TEST_F(SessionTest, AProviderThatCannotBeMadeIsSetAsideWithoutAList) {
  providers::Registry empty;  // no "cadenya": the provider cannot be made
  auto opts = options();
  opts.registry = &empty;
  auto session = open(workspace_doc("ws"), opts);
  ASSERT_TRUE(session);
  auto unusable = session->set_aside_unusable(session->observe_all(), true);
  ASSERT_EQ(unusable.size(), 1u);
  EXPECT_EQ(unusable[0].why.message().rfind("cannot be used", 0), 0u);
  EXPECT_EQ(fake_.lists, 0);
}

TEST_F(SessionTest, RunCarriesOutThePlan) {
  auto session = open(workspace_doc("a") + workspace_doc("b"));
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->observe_all().empty());
  auto plan = session->plan(false);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->items.size(), 2u);
  EXPECT_EQ(plan->items[0].action, plan::Action::kCreate);
  reconcile::Recorder events;
  RunOptions run;
  run.workers = 2;
  run.events = &events;
  auto result = session->run(*plan, run);
  EXPECT_TRUE(result.idle);
  EXPECT_TRUE(result.failures.empty());
  EXPECT_EQ(fake_.creates, 2);
  EXPECT_EQ(record_count(*session), 2u);
  EXPECT_FALSE(events.types.empty());
}

TEST_F(SessionTest, RunReportsWhatDidNotSync) {
  fake_.next_create_fault = FakeProvider::CreateFault::kRefuse;
  auto session = open(workspace_doc("a"));
  ASSERT_TRUE(session);
  auto plan = session->plan(false);
  ASSERT_TRUE(plan);
  auto result = session->run(*plan, {});
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].key, (model::WorkspaceKey{"default", "a"}));
  EXPECT_FALSE(result.failures[0].why.empty());
}

TEST_F(SessionTest, AnInterruptedRunStartsNothing) {
  auto session = open(workspace_doc("a"));
  ASSERT_TRUE(session);
  auto plan = session->plan(false);
  ASSERT_TRUE(plan);
  session->interrupt();
  auto result = session->run(*plan, {});
  EXPECT_FALSE(result.idle);
  EXPECT_EQ(fake_.creates, 0);
  EXPECT_EQ(record_count(*session), 0u);
}

// Terraform's -refresh=false: the plan reads the store's observations, and
// nothing is asked of the provider.
TEST_F(SessionTest, ObserveFromStatePlansAgainstTheRecordsWithoutAsking) {
  ASSERT_NO_FATAL_FAILURE(apply_all(workspace_doc("ws")));
  ASSERT_EQ(fake_.creates, 1);
  fake_.remote.clear();  // a refresh would now plan a create
  fake_.gets = fake_.lists = 0;
  auto session = open(workspace_doc("ws"));
  ASSERT_TRUE(session);
  session->observe_from_state();
  EXPECT_TRUE(session->set_aside_unusable({}, false).empty());
  auto plan = session->plan(false);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->items.size(), 1u);
  EXPECT_EQ(plan->items[0].action, plan::Action::kNoop);
  EXPECT_FALSE(plan->items[0].unobserved);
  EXPECT_EQ(fake_.gets + fake_.lists, 0);
}

TEST_F(SessionTest, DeleteCarriesOutEachKeyInOrder) {
  ASSERT_NO_FATAL_FAILURE(apply_all(workspace_doc("a") + workspace_doc("b")));
  auto session = open(workspace_doc("a") + workspace_doc("b"));
  ASSERT_TRUE(session);
  std::vector<size_t> reported;
  bool usage = session->delete_all(
      {{"default", "a"}, {"default", "b"}}, [&](size_t i, const RequestOutcome& outcome) {
        reported.push_back(i);
        EXPECT_TRUE(outcome.status.is_ok()) << outcome.status.message();
        ASSERT_TRUE(outcome.done);
        EXPECT_EQ(outcome.done->plan.action, plan::Action::kDelete);
      });
  EXPECT_FALSE(usage);
  EXPECT_EQ(reported, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(fake_.deletes, 2);
  EXPECT_EQ(record_count(*session), 0u);
}

// By name from the store alone, a remote delete needs the ProviderConfig
// the command was not given: a usage error, and nothing is deleted.
TEST_F(SessionTest, DeleteWithoutTheSourceStopsBeforeDeletingAnything) {
  ASSERT_NO_FATAL_FAILURE(apply_all(workspace_doc("a")));
  auto session = Session::open_records(options());
  ASSERT_TRUE(session) << session.status().to_string();
  int refused = 0;
  bool usage = (*session)->delete_all({{"default", "a"}}, [&](size_t, const RequestOutcome& o) {
    EXPECT_FALSE(o.done);
    refused += o.status.code() == Code::kInvalid;
  });
  EXPECT_TRUE(usage);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(fake_.deletes, 0);
  EXPECT_EQ(record_count(**session), 1u);
}

// wsctl import of a key the source does not declare: a usage refusal,
// planned before the provider is asked anything, and nothing recorded.
TEST_F(SessionTest, ImportWithoutAManifestIsRefusedBeforeTheProviderIsAsked) {
  auto session = open(workspace_doc("a"));
  ASSERT_TRUE(session);
  fake_.gets = fake_.lists = 0;
  RequestOutcome outcome = session->import({"default", "elsewhere"}, "remote-1");
  EXPECT_TRUE(outcome.refused);
  EXPECT_EQ(outcome.status.code(), Code::kInvalid) << outcome.status.message();
  EXPECT_FALSE(outcome.done);
  EXPECT_EQ(fake_.gets + fake_.lists, 0);
  EXPECT_EQ(record_count(*session), 0u);
}

TEST_F(SessionTest, ForgetAllDropsEachRecordInOrderAndLeavesTheRemotes) {
  ASSERT_NO_FATAL_FAILURE(apply_all(workspace_doc("a") + workspace_doc("b")));
  auto session = Session::open_records(options());
  ASSERT_TRUE(session) << session.status().to_string();
  std::vector<size_t> reported;
  std::vector<bool> ok;
  (*session)->forget_all({{"default", "b"}, {"default", "never"}, {"default", "a"}},
                         [&](size_t i, const RequestOutcome& o) {
                           reported.push_back(i);
                           ok.push_back(o.status.is_ok());
                         });
  EXPECT_EQ(reported, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(ok, (std::vector<bool>{true, false, true})) << "a key without a record fails alone";
  EXPECT_EQ(fake_.deletes, 0);
  EXPECT_EQ(fake_.remote.size(), 2u);
  EXPECT_EQ(record_count(**session), 0u);
}

// The one prune guard (reconcile/prune_guard.h), counted over the
// session's store and source for its instance.
TEST_F(SessionTest, PruneRefusalFollowsTheGuard) {
  const struct {
    const char* instance;
    reconcile::PruneGuardOptions guard;
    bool refused;
  } cases[] = {
      {"test", {50, false}, true},    // an empty source would prune the only record
      {"test", {50, true}, false},    // --force
      {"other", {50, false}, false},  // another instance's record is never pruned
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.instance) + (c.guard.force ? " force" : ""));
    auto opts = options();
    opts.instance_id = c.instance;
    auto session = open("", opts);
    ASSERT_TRUE(session);
    state::WorkspaceRecord mine;
    mine.key = {"default", "left"};
    mine.provider_config = "fake";
    mine.remote_id = "r1";
    mine.owner_instance_id = "test";
    ASSERT_TRUE(session->store().put(mine).is_ok());
    auto refusal = session->prune_refusal(c.guard);
    ASSERT_TRUE(refusal) << refusal.status().to_string();
    EXPECT_EQ(refusal->has_value(), c.refused) << refusal->value_or("");
  }
}

TEST_F(SessionTest, KeysFollowTheSelectionAndTheRecords) {
  auto opts = options();
  opts.selects = [](const std::map<std::string, std::string>& labels) {
    auto env = labels.find("env");
    return env != labels.end() && env->second == "prod";
  };
  auto session = open(workspace_doc("a", "{env: prod}") + workspace_doc("b", "{env: dev}"), opts);
  ASSERT_TRUE(session);
  state::WorkspaceRecord gone;
  gone.key = {"default", "gone"};
  gone.provider_config = "fake";
  gone.owner_instance_id = "test";
  ASSERT_TRUE(session->store().put(gone).is_ok());
  using Keys = std::vector<model::WorkspaceKey>;
  EXPECT_EQ(session->keys(false), (Keys{{"default", "a"}}));
  EXPECT_EQ(session->keys(true), (Keys{{"default", "a"}, {"default", "gone"}}));
}

TEST_F(SessionTest, CheckAccountsNamesWhatCannotBeUsedOrReached) {
  const struct {
    std::optional<Status> list;
    const char* expected;  // "" when the account answered
  } cases[] = {
      {std::nullopt, ""},
      {Status::error(Code::kUnauthorized, "HTTP 401"), "cannot be used: "},
      {Status::error(Code::kTransient, "HTTP 503"), "could not be reached: "},
  };
  for (const auto& c : cases) {
    list_status_ = c.list;
    auto opts = options();
    auto session = Session::open_without_store(opts, source(workspace_doc("ws")));
    auto unusable = session->check_accounts();
    EXPECT_FALSE(std::filesystem::exists(opts.state.path));
    if (std::string(c.expected).empty()) {
      EXPECT_TRUE(unusable.empty());
      continue;
    }
    ASSERT_EQ(unusable.size(), 1u);
    EXPECT_EQ(unusable[0].why.message().rfind(c.expected, 0), 0u) << unusable[0].why.message();
  }
}

}  // namespace
}  // namespace wsop::runtime
