// The requests of `wsctl delete`, `forget` and `import` carried out by the
// reconciler (WorkspaceReconciler::carry_out), with the events of a
// reconcile and the owner check; and the one prune guard (prune_guard.h)
// that `wsctl apply --prune` and the controller both ask.
#include <gtest/gtest.h>

#include <string>

#include "controller/reconcile/prune_guard.h"
#include "tests/controller/reconcile/reconcile_fixture.h"

namespace wsop::reconcile {
namespace {

const plan::Request kDelete{plan::RequestKind::kDelete, ""};
const plan::Request kForget{plan::RequestKind::kForget, ""};

TEST_F(ReconcilerTest, DeleteByRequestDeletesTheRemoteWithTheEventOfAPrune) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  auto done = r.carry_out(key_, kDelete);
  ASSERT_TRUE(done) << done.status().to_string();
  EXPECT_EQ(done->plan.action, plan::Action::kDelete);
  ASSERT_TRUE(done->before);
  EXPECT_EQ(done->before->remote_id, "id-1");
  EXPECT_EQ(fake_.deletes, 1);
  EXPECT_TRUE(fake_.remote.empty());
  EXPECT_FALSE(*store_->get(key_));
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kDeleted);
}

TEST_F(ReconcilerTest, DeleteByRequestNeverTouchesAnotherInstancesWorkspace) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  state::WorkspaceRecord theirs = record();
  theirs.owner_instance_id = "another";
  ASSERT_TRUE(store_->put(theirs).is_ok());
  auto planned = r.plan_request(key_, kDelete);
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.status().code(), Code::kConflict);
  auto done = r.carry_out(key_, kDelete);
  ASSERT_FALSE(done);
  EXPECT_NE(done.status().message().find("owned by operator instance \"another\""),
            std::string::npos)
      << done.status().message();
  EXPECT_EQ(fake_.deletes, 0);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_TRUE(*store_->get(key_));
}

TEST_F(ReconcilerTest, ForgetByRequestKeepsTheRemoteAndTellsIt) {
  auto r = reconciler();
  ASSERT_TRUE(r.reconcile(key_));
  auto done = r.carry_out(key_, kForget);
  ASSERT_TRUE(done) << done.status().to_string();
  EXPECT_EQ(done->plan.action, plan::Action::kOrphan);
  EXPECT_EQ(fake_.deletes, 0);
  EXPECT_EQ(fake_.remote.size(), 1u);
  EXPECT_FALSE(*store_->get(key_));
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kForgotten);
  auto again = r.carry_out(key_, kForget);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.status().code(), Code::kNotFound);
}

TEST_F(ReconcilerTest, ImportByRequestAdoptsWithoutACreate) {
  providers::RemoteWorkspace made;
  made.id = "made-elsewhere";
  made.name = "Elsewhere";
  made.phase = providers::Phase::kReady;
  fake_.remote[made.id] = made;
  auto r = reconciler();
  auto done = r.carry_out(key_, {plan::RequestKind::kImport, made.id});
  ASSERT_TRUE(done) << done.status().to_string();
  EXPECT_EQ(done->plan.action, plan::Action::kAdopt);
  state::WorkspaceRecord rec = record();
  EXPECT_EQ(rec.remote_id, made.id);
  EXPECT_EQ(rec.origin, state::Origin::kImported);
  EXPECT_EQ(rec.owner_instance_id, "test");
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kAdopted);
  // The next reconcile brings the remote in line: an update, no create.
  ASSERT_TRUE(r.reconcile(key_));
  EXPECT_EQ(fake_.creates, 0);
  EXPECT_EQ(fake_.remote[made.id].name, "First");
}

TEST_F(ReconcilerTest, ImportOfAnUnknownRemoteFailsAndSaysSo) {
  auto r = reconciler();
  auto done = r.carry_out(key_, {plan::RequestKind::kImport, "nowhere"});
  ASSERT_FALSE(done);
  EXPECT_FALSE(*store_->get(key_));
  ASSERT_FALSE(events_.types.empty());
  EXPECT_EQ(events_.types.back(), EventType::kFailed);
}

// Three records of this instance, one of another; `leaving` of them left
// the source.
class PruneGuardTest : public ReconcilerTest {
 protected:
  void put(const std::string& name, const std::string& owner, bool paused = false) {
    state::WorkspaceRecord r;
    r.key = {"default", name};
    r.provider_config = "fake";
    r.remote_id = "id-" + name;
    r.owner_instance_id = owner;
    r.paused = paused;
    r.create.state = state::CreateState::kSucceeded;
    ASSERT_TRUE(store_->put(r).is_ok());
  }
  PruneCount count() {
    auto counted = count_prune(*store_, *desired_, "test");
    EXPECT_TRUE(counted) << counted.status().to_string();
    return counted ? *counted : PruneCount{};
  }
};

TEST_F(PruneGuardTest, CountsOnlyWhatThePlannerWouldPrune) {
  put("ws", "test");  // the manifest "ws" is in the source
  put("gone", "test");
  put("held", "test", /*paused=*/true);
  put("theirs", "another");
  PruneCount c = count();
  EXPECT_EQ(c.managed, 3u);
  EXPECT_EQ(c.leaving, 1u) << "paused and another instance's records are never pruned";
  EXPECT_FALSE(c.source_empty);

  // A manifest that takes "gone" over by external-name is a rename.
  set_manifests("", true, "  annotations: {workspace-operator.io/external-name: \"id-gone\"}\n");
  EXPECT_EQ(count().leaving, 0u);
}

TEST_F(PruneGuardTest, RefusesAnEmptySourceAndMoreThanTheCapUnlessForced) {
  EXPECT_FALSE(prune_refusal({3, 0, true}, {}));
  auto empty = prune_refusal({3, 1, true}, {});
  ASSERT_TRUE(empty);
  EXPECT_NE(empty->find("the source has no workspaces"), std::string::npos) << *empty;
  EXPECT_FALSE(prune_refusal({3, 1, true}, {50, /*force=*/true}));
  EXPECT_FALSE(prune_refusal({2, 1, false}, {}));  // 50% of 2: at the cap
  auto too_many = prune_refusal({3, 2, false}, {});
  ASSERT_TRUE(too_many);
  EXPECT_NE(too_many->find("would delete 2 of 3 managed workspaces, more than --max-prune=50%"),
            std::string::npos)
      << *too_many;
  EXPECT_TRUE(prune_refusal({10, 1, false}, {5, false}));
  EXPECT_FALSE(prune_refusal({3, 3, false}, {100, false}));
}

}  // namespace
}  // namespace wsop::reconcile
