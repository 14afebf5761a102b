// No failure is silent: an error that no step recorded (the state store
// refusing a write, an exception from a provider) becomes the workspace's
// Synced=False reason and a failed event carrying the cause.
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::reconcile {
namespace {

// The real store, except that begin_create (and, with refuse_conditions,
// set_conditions) fails as a full disk would.
class FullDiskStore : public state::StateStore {
 public:
  explicit FullDiskStore(state::StateStore& real, bool refuse_begin_create = true)
      : real_(real), refuse_begin_create_(refuse_begin_create) {}
  bool refuse_conditions = false;
  Outcome<std::optional<state::WorkspaceRecord>> get(const model::WorkspaceKey& k) override {
    return real_.get(k);
  }
  Outcome<std::vector<state::WorkspaceRecord>> list(const state::ListOptions& o) override {
    return real_.list(o);
  }
  Outcome<std::vector<state::RecordKey>> keys() override { return real_.keys(); }
  Outcome<std::vector<state::PendingCreate>> pending_creates() override {
    return real_.pending_creates();
  }
  Outcome<std::vector<state::ConditionCount>> count_by_condition() override {
    return real_.count_by_condition();
  }
  Status put(const state::WorkspaceRecord& r) override { return real_.put(r); }
  Status put_all(const std::vector<state::WorkspaceRecord>& r) override { return real_.put_all(r); }
  Status remove(const model::WorkspaceKey& k) override { return real_.remove(k); }
  Status move(const model::WorkspaceKey& from, const state::WorkspaceRecord& to) override {
    return real_.move(from, to);
  }
  Outcome<state::WorkspaceRecord> begin_create(const state::WorkspaceRecord& r,
                                               state::Time now) override {
    if (!refuse_begin_create_) return real_.begin_create(r, now);
    return Status::error(Code::kInternal, "state store: database or disk is full");
  }
  Status complete_create(const model::WorkspaceKey& k, const std::string& id,
                         const std::string& observed,
                         const state::SettleRecord& settle = {}) override {
    return real_.complete_create(k, id, observed, settle);
  }
  Outcome<std::optional<state::WorkspaceRecord>> find_by_remote_id(const std::string& c,
                                                                   const std::string& id) override {
    return real_.find_by_remote_id(c, id);
  }
  Status set_conditions(const model::WorkspaceKey& k, const model::Conditions& c) override {
    if (refuse_conditions) return Status::error(Code::kInternal, "conditions: disk is full");
    return real_.set_conditions(k, c);
  }
  Outcome<std::optional<std::string>> get_meta(const std::string& k) override {
    return real_.get_meta(k);
  }
  Status set_meta(const std::string& k, const std::string& v) override {
    return real_.set_meta(k, v);
  }

 private:
  state::StateStore& real_;
  bool refuse_begin_create_;
};

class ReconcileErrorTest : public ReconcilerTest {
 protected:
  std::string last_event() { return events_.messages.empty() ? "" : events_.messages.back(); }
  WorkspaceReconciler reconciler_on(state::StateStore& store) {
    ReconcileContext ctx;
    ctx.desired = [this] { return desired_; };
    ctx.providers = providers_.get();
    ctx.store = &store;
    ctx.cache = &cache_;
    ctx.events = &events_;
    ctx.options.plan = {false, false, "test"};
    ctx.options.max_observation_age = std::chrono::milliseconds(0);
    return WorkspaceReconciler(std::move(ctx));
  }
};

TEST_F(ReconcileErrorTest, AStoreFailureIsReportedWithItsReason) {
  FullDiskStore full(*store_);
  ReconcileContext ctx;
  ctx.desired = [this] { return desired_; };
  ctx.providers = providers_.get();
  ctx.store = &full;
  ctx.cache = &cache_;
  ctx.events = &events_;
  WorkspaceReconciler r(std::move(ctx));
  auto result = r.reconcile(key_);
  ASSERT_FALSE(result);
  EXPECT_EQ(fake_.creates, 0) << "a create was sent without its journal record";
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kFailed);
  EXPECT_NE(last_event().find("disk is full"), std::string::npos) << last_event();
}

TEST_F(ReconcileErrorTest, AnExceptionIsLoggedAndBecomesTheReason) {
  fake_.on_create = [] { throw std::length_error("basic_string::_M_create"); };
  auto r = reconciler();
  auto result = r.reconcile(key_);  // must not throw
  ASSERT_FALSE(result);
  EXPECT_NE(result.status().message().find("reconcile threw"), std::string::npos);
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kFailed);
  EXPECT_NE(last_event().find("_M_create"), std::string::npos) << last_event();
  // The pending record written before the send carries the reason.
  EXPECT_EQ(record().conditions.synced.reason, "ReconcileError");
  EXPECT_NE(record().conditions.synced.message.find("_M_create"), std::string::npos);
}

TEST_F(ReconcileErrorTest, AFailureAStepRecordedIsNotReportedTwice) {
  fake_.next_create_fault = FakeProvider::CreateFault::kRefuse;
  auto r = reconciler();
  ASSERT_FALSE(r.reconcile(key_));
  int failed = 0;
  for (auto type : events_.types) failed += type == EventType::kFailed ? 1 : 0;
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(record().conditions.synced.reason, "CreateFailed");
}

// A store that refuses the Synced condition of a failure must not make the
// failure look synced without a word: the failed event says it was not stored.
TEST_F(ReconcileErrorTest, AConditionTheStoreRefusesIsNamedInTheFailedEvent) {
  FullDiskStore store(*store_, /*refuse_begin_create=*/false);
  store.refuse_conditions = true;
  fake_.next_create_fault = FakeProvider::CreateFault::kRefuse;
  auto r = reconciler_on(store);
  ASSERT_FALSE(r.reconcile(key_));
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kFailed);
  EXPECT_NE(last_event().find("refused"), std::string::npos) << last_event();
  EXPECT_NE(last_event().find("Synced condition not stored"), std::string::npos) << last_event();
  EXPECT_NE(last_event().find("conditions: disk is full"), std::string::npos) << last_event();
}

TEST_F(ReconcileErrorTest, AnUnrecordedFailureNamesAConditionTheStoreRefuses) {
  FullDiskStore store(*store_, /*refuse_begin_create=*/false);
  store.refuse_conditions = true;
  fake_.on_create = [] { throw std::length_error("basic_string::_M_create"); };
  auto r = reconciler_on(store);
  ASSERT_FALSE(r.reconcile(key_));
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kFailed);
  EXPECT_NE(last_event().find("_M_create"), std::string::npos) << last_event();
  EXPECT_NE(last_event().find("Synced condition not stored"), std::string::npos) << last_event();
}

}  // namespace
}  // namespace wsop::reconcile
