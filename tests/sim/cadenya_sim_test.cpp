// The simulated Cadenya API against ../shared/providers/cadenya.md.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

constexpr const char* kPath = "/v1/account/workspaces";

class CadenyaSimTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    api_ = std::make_unique<Client>(client("cadenya"));
  }
  Reply create(const json& metadata, const json& spec = json::object()) {
    return api_->post(kPath, {{"metadata", metadata}, {"spec", spec}});
  }
  std::string create_id(const json& metadata) {
    Reply r = create(metadata);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["metadata"]["id"].get<std::string>();
  }
  static void expect_status(const Reply& r, int http, int code) {
    EXPECT_EQ(r.status, http) << r.body;
    json body = r.json();
    EXPECT_EQ(body["code"], code) << r.body;
    EXPECT_TRUE(body["message"].is_string());
    EXPECT_TRUE(body["details"].is_array());
  }

  std::unique_ptr<Client> api_;
};

TEST_F(CadenyaSimTest, CreateReturnsWorkspaceWithPrefixedUlid) {
  Reply r = create({{"name", "Team A"}, {"externalId", "team-a/ws"}, {"labels", {{"team", "a"}}}},
                   {{"description", "d"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json w = r.json();
  std::string id = w["metadata"]["id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("ws_[0-9A-HJKMNP-TV-Z]{26}"))) << id;
  EXPECT_EQ(w["metadata"]["name"], "Team A");
  EXPECT_EQ(w["metadata"]["externalId"], "team-a/ws");
  EXPECT_EQ(w["metadata"]["labels"], json({{"team", "a"}}));
  EXPECT_TRUE(w["metadata"]["accountId"].is_string());
  EXPECT_TRUE(w["metadata"]["profileId"].is_string());
  EXPECT_EQ(w["spec"]["description"], "d");
  EXPECT_EQ(w["status"], "STATUS_ENABLED");
  EXPECT_EQ(api_->get(std::string(kPath) + "/" + id).json(), w);
}

TEST_F(CadenyaSimTest, WithoutTokenIs401Unauthenticated) {
  api_->set_token("");
  expect_status(create({{"name", "a"}}), 401, 16);
  expect_status(api_->get(kPath), 401, 16);
}

TEST_F(CadenyaSimTest, NonAdminTokenIs403PermissionDenied) {
  sim::SimConfig config = test_config();
  config.at("cadenya").auth.tokens = {"user-token"};
  config.at("cadenya").auth.admin_tokens = {"admin-token"};
  start(config);
  Client user = client("cadenya", "user-token");
  expect_status(user.post(kPath, {{"metadata", {{"name", "a"}}}}), 403, 7);
  expect_status(user.get(kPath), 403, 7);
  expect_status(client("cadenya", "stranger").get(kPath), 401, 16);
  EXPECT_EQ(client("cadenya", "admin-token").post(kPath, {{"metadata", {{"name", "a"}}}}).status,
            200);
}

TEST_F(CadenyaSimTest, CreateWithoutNameIsInvalidArgument) {
  expect_status(create(json::object()), 400, 3);
  expect_status(create({{"name", ""}}), 400, 3);
  expect_status(api_->post(kPath, {{"spec", json::object()}}), 400, 3);
  expect_status(api_->request("POST", kPath, "{oops"), 400, 3);
}

// Seed 002: labels are "optional map[string] Arbitrary key-value pairs", so
// any key and any string value is accepted; only the types are checked.
TEST_F(CadenyaSimTest, LabelsAreArbitraryStringPairs) {
  json arbitrary = {{"team", std::string(64, 'v')},
                    {"bad key", "a b"},
                    {"Not_DNS/x", "-leading"},
                    {"", "empty key"},
                    {"ünïcode", "välue!"},
                    {"workspace-operator.io/managed-by", "wsop"},
                    {"empty", ""}};
  Reply r = create({{"name", "a"}, {"labels", arbitrary}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["metadata"]["labels"], arbitrary);
  std::string id = r.json()["metadata"]["id"];
  EXPECT_EQ(api_->get(std::string(kPath) + "/" + id).json()["metadata"]["labels"], arbitrary);
  expect_status(create({{"name", "a"}, {"labels", {{"team", 5}}}}), 400, 3);
  expect_status(create({{"name", "a"}, {"labels", {{"team", nullptr}}}}), 400, 3);
  expect_status(create({{"name", "a"}, {"labels", json::array({"team"})}}), 400, 3);
  expect_status(create({{"name", "a"}, {"labels", "team=a"}}), 400, 3);
}

TEST_F(CadenyaSimTest, DuplicateExternalIdsAreAccepted) {
  std::string a = create_id({{"name", "a"}, {"externalId", "same"}});
  std::string b = create_id({{"name", "b"}, {"externalId", "same"}});
  EXPECT_NE(a, b);
}

TEST_F(CadenyaSimTest, UnknownIdIs404NotFound) {
  expect_status(api_->get(std::string(kPath) + "/ws_01HXK00000000000000000000"), 404, 5);
  expect_status(api_->del(std::string(kPath) + "/ws_nope"), 404, 5);
  expect_status(api_->patch(std::string(kPath) + "/ws_nope", {{"metadata", {{"name", "x"}}}}), 404,
                5);
}

TEST_F(CadenyaSimTest, PatchRequiresMetadataName) {
  std::string id = create_id({{"name", "a"}});
  expect_status(api_->patch(std::string(kPath) + "/" + id,
                            {{"spec", {{"description", "x"}}}, {"updateMask", "spec.description"}}),
                400, 3);
}

TEST_F(CadenyaSimTest, PatchWithUpdateMaskWritesOnlyMaskedFields) {
  std::string id = create_id({{"name", "a"}, {"externalId", "e"}, {"labels", {{"k", "v"}}}});
  Reply r = api_->patch(std::string(kPath) + "/" + id,
                        {{"metadata", {{"name", "ignored"}, {"labels", {{"k", "w"}}}}},
                         {"spec", {{"description", "new"}}},
                         {"updateMask", "spec.description,metadata.externalId"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json w = r.json();
  EXPECT_EQ(w["metadata"]["name"], "a");
  EXPECT_EQ(w["metadata"]["labels"], json({{"k", "v"}}));
  EXPECT_EQ(w["spec"]["description"], "new");
  EXPECT_FALSE(w["metadata"].contains("externalId"));  // masked but absent: cleared
}

TEST_F(CadenyaSimTest, PatchWithoutMaskWritesFieldsPresent) {
  std::string id = create_id({{"name", "a"}, {"externalId", "e"}});
  json w = api_->patch(std::string(kPath) + "/" + id,
                       {{"metadata", {{"name", "b"}, {"labels", {{"x", "y"}}}}}})
               .json();
  EXPECT_EQ(w["metadata"]["name"], "b");
  EXPECT_EQ(w["metadata"]["externalId"], "e");
  EXPECT_EQ(w["metadata"]["labels"], json({{"x", "y"}}));
}

TEST_F(CadenyaSimTest, PatchRejectsUnknownMaskPathAndNonStringLabels) {
  std::string id = create_id({{"name", "a"}});
  std::string path = std::string(kPath) + "/" + id;
  expect_status(
      api_->patch(path, {{"metadata", {{"name", "a"}}}, {"updateMask", "metadata.owner"}}), 400, 3);
  expect_status(api_->patch(path, {{"metadata", {{"name", "a"}, {"labels", {{"k", 1}}}}}}), 400, 3);
  Reply spaced = api_->patch(path, {{"metadata", {{"name", "a"}, {"labels", {{"k", "a b"}}}}}});
  ASSERT_EQ(spaced.status, 200) << spaced.body;  // seed 002: arbitrary values
  EXPECT_EQ(spaced.json()["metadata"]["labels"], json({{"k", "a b"}}));
}

TEST_F(CadenyaSimTest, DeleteArchivesAndListsHideArchived) {
  std::string kept = create_id({{"name", "kept"}});
  std::string gone = create_id({{"name", "gone"}});
  Reply d = api_->del(std::string(kPath) + "/" + gone);
  EXPECT_EQ(d.status / 100, 2);
  EXPECT_TRUE(d.body.empty());
  EXPECT_EQ(api_->get(std::string(kPath) + "/" + gone).json()["status"], "STATUS_ARCHIVED");
  json list = api_->get(kPath).json();
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["metadata"]["id"], kept);
  EXPECT_EQ(list["pagination"]["total"], 1);
  EXPECT_EQ(api_->get(std::string(kPath) + "?includeArchived=true").json()["items"].size(), 2u);
  expect_status(api_->patch(std::string(kPath) + "/" + gone, {{"metadata", {{"name", "x"}}}}), 400,
                9);
}

TEST_F(CadenyaSimTest, LabelFilterHasAndSemantics) {
  create_id({{"name", "1"}, {"labels", {{"team", "a"}, {"env", "prod"}}}});
  create_id({{"name", "2"}, {"labels", {{"team", "a"}, {"env", "dev"}}}});
  create_id({{"name", "3"}, {"labels", {{"team", "b"}, {"env", "prod"}}}});
  create_id({{"name", "4"}});
  auto names = [&](const std::string& query) {
    std::set<std::string> out;
    json list = api_->get(std::string(kPath) + query).json();
    for (const auto& w : list["items"]) {
      out.insert(w["metadata"]["name"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(names("?labels=team%3Da"), (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(names("?labels=team=a,env=prod"), (std::set<std::string>{"1"}));
  EXPECT_EQ(names("?labels=env=prod"), (std::set<std::string>{"1", "3"}));
  EXPECT_EQ(names("?labels=team=c"), (std::set<std::string>{}));
  expect_status(api_->get(std::string(kPath) + "?labels=team"), 400, 3);
}

TEST_F(CadenyaSimTest, CursorPaginationVisitsEveryWorkspaceOnce) {
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) created.push_back(create_id({{"name", "w" + std::to_string(i)}}));
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    json r = api_->get(std::string(kPath) + "?limit=3&cursor=" + cursor).json();
    EXPECT_EQ(r["pagination"]["total"], 7);
    for (const auto& w : r["items"]) seen.push_back(w["metadata"]["id"]);
    cursor = r["pagination"]["nextCursor"];
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, created);  // ULIDs sort in creation order
  expect_status(api_->get(std::string(kPath) + "?cursor=garbage"), 400, 3);
  expect_status(api_->get(std::string(kPath) + "?limit=-1"), 400, 3);
}

}  // namespace
}  // namespace wsop::simtest
