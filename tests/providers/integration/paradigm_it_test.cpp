// Paradigm through the Provider interface against the simulator
// (../shared/providers/paradigm.md): every operation, pagination through
// `next`, soft delete, 403 as "not visible", DRF error bodies.
#include "providers/paradigm/paradigm_observation.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

class ParadigmIT : public IntegrationTest {
 protected:
  void SetUp() override {
    sim::SimConfig c = simtest::test_config();
    sim::paradigm::options_of(c).companies = {{1, "Acme"}, {2, "Other"}};
    start_sim(std::move(c));
    provider_ = make(kParadigm);
    ASSERT_NE(provider_, nullptr);
  }
  std::unique_ptr<Provider> provider_;
};

TEST_P(ParadigmIT, CapabilitiesSayNotFoundIsNoProof) {
  const auto& caps = provider_->capabilities();
  EXPECT_EQ(provider_->type(), kParadigm);
  EXPECT_FALSE(caps.not_found_proves_absence);
  EXPECT_FALSE(caps.native_external_id);
  EXPECT_FALSE(caps.labels);
}

TEST_P(ParadigmIT, CreateGetUpdateDeleteDiff) {
  model::Workspace want = paradigm_ws("alpha");
  auto created = provider_->create(want);
  ASSERT_TRUE(created) << why(created);
  EXPECT_EQ(created->id, "1");
  EXPECT_EQ(created->name, "alpha");
  EXPECT_EQ(providers::paradigm::company_of(*created), 1);
  EXPECT_EQ(providers::paradigm::upload_method_of(*created), "manual");
  EXPECT_TRUE(created->created_at.has_value());
  EXPECT_TRUE(provider_->diff(want, *created).empty());
  EXPECT_EQ(calls(kParadigm, "create", "201"), 1);

  auto got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->name, "alpha");
  EXPECT_EQ(got->description, "about alpha");
  EXPECT_EQ(got->phase, Phase::kReady);
  EXPECT_TRUE(provider_->diff(want, *got).empty());

  // Each mutable field alone.
  model::Workspace renamed = want;
  renamed.display_name = "alpha-renamed";
  auto changes = provider_->diff(renamed, *got);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.displayName");
  EXPECT_FALSE(changes[0].requires_replacement);
  auto updated = provider_->update(*got, renamed, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->name, "alpha-renamed");
  EXPECT_EQ(updated->description, "about alpha");

  model::Workspace described = renamed;
  described.description = "new words";
  changes = provider_->diff(described, *updated);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.description");
  updated = provider_->update(*updated, described, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->description, "new words");

  // An empty description clears it.
  model::Workspace cleared = described;
  cleared.description = "";
  updated = provider_->update(*updated, cleared, provider_->diff(cleared, *updated));
  ASSERT_TRUE(updated) << why(updated);
  got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->name, "alpha-renamed");
  EXPECT_EQ(got->description, "");
  EXPECT_TRUE(provider_->diff(cleared, *got).empty());
  EXPECT_EQ(calls(kParadigm, "update", "200"), 3);

  // Nothing to change: no request.
  auto same = provider_->update(*got, cleared, {});
  ASSERT_TRUE(same) << why(same);
  EXPECT_EQ(calls(kParadigm, "update"), 3);

  // Immutable fields are replacements, never updates.
  model::Workspace moved = cleared;
  providers::paradigm::set_spec(moved, {2, providers::paradigm::DocumentUploadMethod::kSynced});
  changes = provider_->diff(moved, *updated);
  ASSERT_EQ(changes.size(), 2u);
  for (const auto& c : changes) EXPECT_TRUE(c.requires_replacement) << c.path;

  // Soft delete: hidden afterwards, a second delete is fine.
  ASSERT_TRUE(provider_->remove(created->id).is_ok());
  got = provider_->get(created->id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound) << why(got);
  EXPECT_NE(got.status().message().find("not visible"), std::string::npos);
  EXPECT_TRUE(provider_->remove(created->id).is_ok());
  auto listed = provider_->list({&want});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_TRUE(listed->empty());
  json s = state(kParadigm);
  ASSERT_EQ(s["workspaces"].size(), 1u);
  EXPECT_TRUE(s["workspaces"][0]["deleted"].get<bool>());
  EXPECT_EQ(calls(kParadigm, "delete", "204"), 1);
  EXPECT_EQ(calls(kParadigm, "delete", "403"), 1);
}

TEST_P(ParadigmIT, ListFollowsNextPastOneHundredAndFiltersCompanies) {
  // 130 in company 1 and 3 in company 2, straight through the simulator.
  simtest::Client direct = admin(kParadigm);
  direct.set_token("any");
  for (int i = 0; i < 133; ++i) {
    json body = {{"name", "ws-" + std::to_string(i)}, {"company_id", i < 130 ? 1 : 2}};
    ASSERT_EQ(direct.post("/api/v3/instance/workspaces", body).status, 201);
  }
  model::Workspace in_one = paradigm_ws("x", 1);
  auto listed = provider_->list({&in_one});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_EQ(listed->size(), 130u);
  // The items name no company, and list() adds none: a guess must never
  // reach the state store (docs/PROVIDERS.md, Paradigm).
  for (const auto& ws : *listed) EXPECT_FALSE(providers::paradigm::company_of(ws));
  EXPECT_EQ(listed->front().name, "ws-0");
  EXPECT_EQ(listed->back().name, "ws-129");
  EXPECT_EQ(calls(kParadigm, "list", "200"), 2);  // page_size=100, then `next`

  // The company list is scoped to the token's company (docs/PROVIDERS.md):
  // asking for company 2 as well shows nothing more.
  model::Workspace in_two = paradigm_ws("y", 2);
  listed = provider_->list({&in_one, &in_two});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_EQ(listed->size(), 130u);
}

TEST_P(ParadigmIT, FindLostCreateMatchesExactNameInCompany) {
  simtest::Client direct = admin(kParadigm);
  direct.set_token("any");
  ASSERT_EQ(
      direct.post("/api/v3/instance/workspaces", {{"name", "lost-ish"}, {"company_id", 1}}).status,
      201);
  ASSERT_EQ(
      direct.post("/api/v3/instance/workspaces", {{"name", "lost"}, {"company_id", 2}}).status,
      201);
  model::Workspace want = paradigm_ws("lost", 1);
  // Empty proves nothing while the request may still commit, and proves
  // absence once its window has passed.
  auto now = std::chrono::system_clock::now();
  auto none = provider_->find_lost_create(want, {now, milliseconds(3000)});
  ASSERT_TRUE(none) << why(none);
  EXPECT_FALSE(none->conclusive);
  EXPECT_TRUE(none->candidates.empty());
  none = provider_->find_lost_create(want, {now - std::chrono::minutes(5), milliseconds(3000)});
  ASSERT_TRUE(none) << why(none);
  EXPECT_TRUE(none->conclusive);
  EXPECT_TRUE(none->candidates.empty());

  set_faults(kParadigm, {{"dropAfterCreateRate", 1.0}});
  auto created = provider_->create(want);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
  EXPECT_EQ(calls(kParadigm, "create", "dropped"), 1);
  set_faults(kParadigm, {{"dropAfterCreateRate", 0}});

  auto found =
      provider_->find_lost_create(want, {std::chrono::system_clock::now(), milliseconds(3000)});
  ASSERT_TRUE(found) << why(found);
  ASSERT_EQ(found->candidates.size(), 1u);
  EXPECT_EQ(found->candidates[0].name, "lost");
  EXPECT_EQ(providers::paradigm::company_of(found->candidates[0]), 1);
  EXPECT_EQ(calls(kParadigm, "create"), 3);  // two direct, one from the provider
}

TEST_P(ParadigmIT, VendorErrorsKeepTheirMessage) {
  model::Workspace too_long = paradigm_ws(std::string(101, 'n'));
  auto created = provider_->create(too_long);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
  EXPECT_NE(created.status().message().find("name: Ensure this field has no more than 100"),
            std::string::npos)
      << why(created);

  model::Workspace no_company = paradigm_ws("w", 99);
  created = provider_->create(no_company);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid);
  EXPECT_NE(created.status().message().find("company_id: Invalid pk \"99\""), std::string::npos)
      << why(created);

  auto got = provider_->get("12345");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound);

  // A 403 on update (deleted meanwhile) is "not visible", like get's.
  RemoteWorkspace ghost;
  ghost.id = "777";
  model::Workspace want = paradigm_ws("ghost");
  auto updated = provider_->update(ghost, want, provider_->diff(want, ghost));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.status().code(), Code::kNotFound) << why(updated);
  EXPECT_NE(updated.status().message().find("You do not have permission"), std::string::npos);

  ::setenv(kTokenVar, "", 1);
  got = provider_->get("1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kUnauthorized);
  EXPECT_NE(got.status().message().find(kTokenVar), std::string::npos) << why(got);
}

TEST_P(ParadigmIT, RejectedTokenIsUnauthorizedWithDetail) {
  sim::SimConfig c = simtest::test_config();
  c.at("paradigm").auth.tokens = {"only-this-one"};
  start_sim(std::move(c));
  provider_ = make(kParadigm);
  auto got = provider_->get("1");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kUnauthorized) << why(got);
  EXPECT_NE(got.status().message().find("Invalid token."), std::string::npos) << why(got);
  EXPECT_EQ(got.status().message().find(kToken), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Integration, ParadigmIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
