// Cadenya through the Provider interface against the simulator
// (../shared/providers/cadenya.md): updateMask with the required
// metadata.name, the ownership label, cursor pagination, archive,
// client-side externalId match, google.rpc.Status errors.
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

const model::ProviderType kCadenya("cadenya");
const std::string kOwner = std::string(providers::cadenya::kOwnerLabel) + "=" + kInstance;

class CadenyaIT : public IntegrationTest {
 protected:
  void SetUp() override {
    sim::SimConfig c = simtest::test_config();
    c.at("cadenya").auth.tokens = {kToken, "user-token"};
    c.at("cadenya").auth.admin_tokens = {kToken};
    start_sim(std::move(c));
    provider_ = make(kCadenya);
    ASSERT_NE(provider_, nullptr);
  }

  // A workspace created straight through the simulator.
  void create_direct(const std::string& name, const json& labels) {
    simtest::Client direct = admin(kCadenya);
    direct.set_token(kToken);
    json body = {{"metadata", {{"name", name}, {"externalId", "default/" + name}}}};
    if (!labels.is_null()) body["metadata"]["labels"] = labels;
    simtest::Reply r = direct.post("/v1/account/workspaces", body);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::unique_ptr<Provider> provider_;
};

TEST_P(CadenyaIT, Capabilities) {
  const auto& caps = provider_->capabilities();
  EXPECT_TRUE(caps.native_external_id);
  EXPECT_TRUE(caps.labels);
  EXPECT_FALSE(caps.list_shows_all);
}

TEST_P(CadenyaIT, CreateGetUpdateEachFieldArchive) {
  model::Workspace want = cadenya_ws("beta");
  auto created = provider_->create(want);
  ASSERT_TRUE(created) << why(created);
  EXPECT_EQ(created->id.rfind("ws_", 0), 0u) << created->id;
  EXPECT_EQ(created->external_id, "default/beta");
  EXPECT_EQ(created->labels.at(providers::cadenya::kOwnerLabel), kInstance);
  EXPECT_EQ(created->labels.at("team"), "core");
  EXPECT_EQ(created->status, "STATUS_ENABLED");
  EXPECT_TRUE(provider_->diff(want, *created).empty());

  auto got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->name, "beta");
  EXPECT_EQ(got->description, "about beta");
  EXPECT_TRUE(provider_->diff(want, *got).empty());

  // Only the description changes; the body still carries metadata.name (the
  // API requires it) and the mask keeps the rest untouched, which shows when
  // the manifest's other fields differ but are not in the change list.
  model::Workspace next = want;
  next.description = "described";
  next.display_name = "not-sent-by-mask";
  auto updated = provider_->update(*got, next, {{"spec.description", "", "", false}});
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->description, "described");
  EXPECT_EQ(updated->name, "beta");

  next = want;
  next.description = "described";
  next.display_name = "beta-2";
  auto changes = provider_->diff(next, *updated);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.displayName");
  updated = provider_->update(*updated, next, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->name, "beta-2");

  next.external_id = "default/beta-moved";
  changes = provider_->diff(next, *updated);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "spec.externalId");
  updated = provider_->update(*updated, next, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->external_id, "default/beta-moved");

  next.labels = {{"team", "infra"}, {"env", "prod"}};
  changes = provider_->diff(next, *updated);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "metadata.labels");
  updated = provider_->update(*updated, next, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_EQ(updated->labels.at("env"), "prod");
  EXPECT_EQ(updated->labels.at("team"), "infra");
  EXPECT_EQ(updated->labels.at(providers::cadenya::kOwnerLabel), kInstance);

  got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_TRUE(provider_->diff(next, *got).empty());
  EXPECT_EQ(calls(kCadenya, "update", "200"), 4);

  // All at once.
  model::Workspace all = next;
  all.display_name = "beta-3";
  all.description = "all";
  all.external_id = "default/beta-3";
  all.labels = {{"team", "x"}};
  changes = provider_->diff(all, *got);
  EXPECT_EQ(changes.size(), 4u);
  updated = provider_->update(*got, all, changes);
  ASSERT_TRUE(updated) << why(updated);
  EXPECT_TRUE(provider_->diff(all, *updated).empty());

  // Archive: still readable, but gone; hidden from the list; archiving again is fine.
  ASSERT_TRUE(provider_->remove(created->id).is_ok());
  got = provider_->get(created->id);
  ASSERT_TRUE(got) << why(got);
  EXPECT_EQ(got->phase, Phase::kGone);
  EXPECT_EQ(got->status, "STATUS_ARCHIVED");
  auto listed = provider_->list({&all});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_TRUE(listed->empty());
  EXPECT_TRUE(provider_->remove(created->id).is_ok());
  auto missing = provider_->remove("ws_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(missing.is_ok()) << missing.to_string();

  // An archived workspace refuses updates: the state disagrees.
  updated = provider_->update(*got, want, provider_->diff(want, *got));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.status().code(), Code::kConflict) << why(updated);
  EXPECT_NE(updated.status().message().find("is archived"), std::string::npos);
}

TEST_P(CadenyaIT, ListPagesWithTheOwnershipLabelOnly) {
  for (int i = 0; i < 120; ++i) {
    ASSERT_NO_FATAL_FAILURE(
        create_direct("own-" + std::to_string(i), {{providers::cadenya::kOwnerLabel, kInstance}}));
  }
  ASSERT_NO_FATAL_FAILURE(create_direct("unlabelled", nullptr));
  ASSERT_NO_FATAL_FAILURE(
      create_direct("other-owner", {{providers::cadenya::kOwnerLabel, "other"}}));
  auto listed = provider_->list({});
  ASSERT_TRUE(listed) << why(listed);
  EXPECT_EQ(listed->size(), 120u);
  std::set<std::string> names;
  for (const auto& ws : *listed) names.insert(ws.name.value_or(""));
  EXPECT_EQ(names.size(), 120u);
  EXPECT_FALSE(names.count("unlabelled"));
  EXPECT_FALSE(names.count("other-owner"));
  EXPECT_EQ(calls(kCadenya, "list", "200"), 2);  // limit=100, then the cursor
}

TEST_P(CadenyaIT, FindLostCreateMatchesExternalIdAmongOwned) {
  // Same externalId but not ours: never a candidate.
  ASSERT_NO_FATAL_FAILURE(create_direct("gamma", nullptr));
  model::Workspace want = cadenya_ws("gamma");
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

  set_faults(kCadenya, {{"dropAfterCreateRate", 1.0}});
  auto created = provider_->create(want);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << why(created);
  set_faults(kCadenya, {{"dropAfterCreateRate", 0.0}});
  EXPECT_EQ(calls(kCadenya, "create", "dropped"), 1);

  auto found =
      provider_->find_lost_create(want, {std::chrono::system_clock::now(), milliseconds(3000)});
  ASSERT_TRUE(found) << why(found);
  ASSERT_EQ(found->candidates.size(), 1u);
  EXPECT_EQ(found->candidates[0].external_id, "default/gamma");
  EXPECT_EQ(found->candidates[0].labels.at(providers::cadenya::kOwnerLabel), kInstance);

  // Archived: not ours to adopt.
  ASSERT_TRUE(provider_->remove(found->candidates[0].id).is_ok());
  found = provider_->find_lost_create(want, {std::chrono::system_clock::now(), milliseconds(3000)});
  ASSERT_TRUE(found) << why(found);
  EXPECT_TRUE(found->candidates.empty());
}

TEST_P(CadenyaIT, RpcStatusCodesMapToCategories) {
  auto got = provider_->get("ws_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kNotFound) << why(got);
  EXPECT_NE(got.status().message().find("not found"), std::string::npos);

  // Labels are "arbitrary key-value pairs" (seed 002); a missing name is
  // what the server refuses as INVALID_ARGUMENT.
  model::Workspace bad = cadenya_ws("bad");
  bad.display_name.clear();
  auto created = provider_->create(bad);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kInvalid) << why(created);
  EXPECT_NE(created.status().message().find("metadata.name is required"), std::string::npos);

  // A valid token that is not an admin's: 403, PERMISSION_DENIED.
  ::setenv(kTokenVar, "user-token", 1);
  auto listed = provider_->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kUnauthorized) << why(listed);
  EXPECT_NE(listed.status().message().find("admin-only"), std::string::npos);
  created = provider_->create(cadenya_ws("as-user"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kUnauthorized) << why(created);

  // An unknown token: 401, UNAUTHENTICATED; the token is never echoed.
  ::setenv(kTokenVar, "who-knows-this-token", 1);
  got = provider_->get("ws_x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kUnauthorized);
  EXPECT_EQ(got.status().message().find("who-knows-this-token"), std::string::npos);
  EXPECT_EQ(calls(kCadenya, "create", "201") + calls(kCadenya, "create", "200"), 0);
}

INSTANTIATE_TEST_SUITE_P(Integration, CadenyaIT,
                         ::testing::Values(Transport::kPlain, Transport::kTls), transport_name);

}  // namespace
}  // namespace wsop::itest
