// A create the server commits after our client's request timeout
// (ARCHITECTURE.md section 4): until the attempt's window has passed, a
// lookup that finds nothing is no proof, so the journal must not create
// again; once the late commit lands, the lookup finds exactly one.
#include "tests/providers/integration/integration_fixture.h"
#include "tests/providers/integration/late_commit_proxy.h"

namespace wsop::itest {
namespace {

class LateCommitIT : public PlainIntegrationTest,
                     public ::testing::WithParamInterface<model::ProviderType> {};

TEST_P(LateCommitIT, EmptyLookupBeforeTheWindowEndsIsNotProof) {
  const model::ProviderType type = GetParam();
  LateCommitProxy proxy(url(type), milliseconds(800));
  ASSERT_TRUE(proxy.start().is_ok());
  model::ProviderConfig c = config(type);
  c.base_url = proxy.url();
  c.timeouts = {milliseconds(300), milliseconds(300)};
  auto p = make(c);
  model::Workspace want = workspace_for(type, "late");

  auto requested_at = std::chrono::system_clock::now();
  auto created = p->create(want);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
  providers::CreateAttempt attempt{requested_at, c.timeouts.connect + c.timeouts.request};

  // Not committed yet: nothing found, and nothing proven.
  auto early = p->find_lost_create(want, attempt);
  ASSERT_TRUE(early) << why(early);
  EXPECT_TRUE(early->candidates.empty());
  EXPECT_FALSE(early->conclusive) << "an empty lookup inside the window would create a duplicate";

  ASSERT_TRUE(eventually([&] { return proxy.committed_late() == 1; }));
  auto found = p->find_lost_create(want, attempt);
  ASSERT_TRUE(found) << why(found);
  ASSERT_EQ(found->candidates.size(), 1u);
  EXPECT_EQ(found->candidates[0].name, "late");
  EXPECT_EQ(state(type)["workspaces"].size(), 1u);
  EXPECT_EQ(calls(type, "create"), 1);

  // Long after the window, an empty answer is proof again.
  providers::CreateAttempt old{requested_at - std::chrono::hours(1), attempt.request_timeout};
  auto gone = p->find_lost_create(workspace_for(type, "never-sent"), old);
  ASSERT_TRUE(gone) << why(gone);
  EXPECT_TRUE(gone->candidates.empty());
  EXPECT_TRUE(gone->conclusive);
}

INSTANTIATE_TEST_SUITE_P(Providers, LateCommitIT,
                         ::testing::Values(model::ProviderType("paradigm"),
                                           model::ProviderType("cadenya")),
                         [](const ::testing::TestParamInfo<model::ProviderType>& info) {
                           return std::string(provider_name(info.param));
                         });

}  // namespace
}  // namespace wsop::itest
