// The simulated Paradigm API against ../shared/providers/paradigm.md.
#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

class ParadigmSimTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    api_ = std::make_unique<Client>(client("paradigm"));
  }
  Reply create(const json& body) { return api_->post("/api/v3/instance/workspaces", body); }
  Reply create_named(const std::string& name) {
    return create({{"name", name}, {"company_id", 1}});
  }

  std::unique_ptr<Client> api_;
};

TEST_F(ParadigmSimTest, CreateAnswers201WithDetailsAndIntegerIdsFromOne) {
  Reply r = create({{"name", "alpha"},
                    {"company_id", 1},
                    {"description", "d"},
                    {"workspace_type", "custom"},
                    {"document_upload_method", "synced"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json w = r.json();
  EXPECT_EQ(w["id"], 1);
  EXPECT_EQ(w["name"], "alpha");
  EXPECT_EQ(w["description"], "d");
  EXPECT_EQ(w["workspace_type"], "custom");
  EXPECT_EQ(w["document_upload_method"], "synced");
  EXPECT_EQ(w["company"]["id"], 1);
  EXPECT_TRUE(w["company"]["name"].is_string());
  for (const char* key : {"created_at", "updated_at", "user_role"})
    EXPECT_TRUE(w[key].is_string()) << key;
  EXPECT_TRUE(w["used_storage"].is_number());
  EXPECT_EQ(w["files_count"], 0);
  EXPECT_EQ(create_named("beta").json()["id"], 2);
}

TEST_F(ParadigmSimTest, CreateAppliesDefaults) {
  json w = create_named("alpha").json();
  EXPECT_EQ(w["description"], "");
  EXPECT_EQ(w["workspace_type"], "custom");
  EXPECT_EQ(w["document_upload_method"], "manual");
}

TEST_F(ParadigmSimTest, CreateWithoutRequiredFieldsAnswersFieldErrors) {
  Reply r = create(json::object());
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json(), json({{"name", {"This field is required."}},
                            {"company_id", {"This field is required."}}}));
}

TEST_F(ParadigmSimTest, CreateRejectsNameOver100Characters) {
  EXPECT_EQ(create_named(std::string(100, 'n')).status, 201);
  Reply r = create_named(std::string(101, 'n'));
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["name"][0], "Ensure this field has no more than 100 characters.");
  EXPECT_EQ(create_named("   ").json()["name"][0], "This field may not be blank.");
}

TEST_F(ParadigmSimTest, CreateRejectsBadEnumsAndTypes) {
  Reply r = create({{"name", "a"},
                    {"company_id", 1},
                    {"workspace_type", "personal"},
                    {"document_upload_method", "auto"}});
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["workspace_type"][0], "\"personal\" is not a valid choice.");
  EXPECT_EQ(r.json()["document_upload_method"][0], "\"auto\" is not a valid choice.");
  r = create({{"name", "a"}, {"company_id", "one"}});
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["company_id"][0], "A valid integer is required.");
}

TEST_F(ParadigmSimTest, CreateRejectsUnknownCompanyAndBadJson) {
  Reply r = create({{"name", "a"}, {"company_id", 99}});
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["company_id"][0], "Invalid pk \"99\" - object does not exist.");
  r = api_->request("POST", "/api/v3/instance/workspaces", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.json()["detail"].is_string());
  r = create(json::array());
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.json().contains("non_field_errors"));
}

TEST_F(ParadigmSimTest, RequestsWithoutBearerTokenAre401) {
  api_->set_token("");
  Reply r = create_named("a");
  ASSERT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["detail"], "Authentication credentials were not provided.");
  EXPECT_EQ(api_->get("/api/v3/workspaces/1").status, 401);
}

TEST_F(ParadigmSimTest, GetAnswersRetrieveShapeWithSummaries) {
  create_named("alpha");
  Reply r = api_->get("/api/v3/workspaces/1");
  ASSERT_EQ(r.status, 200);
  json w = r.json();
  EXPECT_EQ(w["id"], 1);
  EXPECT_EQ(w["name"], "alpha");
  EXPECT_TRUE(w["summaries"].is_array());
  EXPECT_FALSE(w.contains("company"));
}

TEST_F(ParadigmSimTest, UnknownIdIs403WithDetail) {
  Reply r = api_->get("/api/v3/workspaces/42");
  ASSERT_EQ(r.status, 403);
  EXPECT_EQ(r.json()["detail"], "You do not have permission to perform this action.");
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/42", {{"name", "x"}}).status, 403);
  EXPECT_EQ(api_->del("/api/v3/workspaces/42").status, 403);
  EXPECT_EQ(api_->get("/api/v3/workspaces/abc").status, 404);
}

TEST_F(ParadigmSimTest, DeleteIsSoftAndHidesTheWorkspace) {
  create_named("alpha");
  create_named("beta");
  ASSERT_EQ(api_->del("/api/v3/workspaces/1").status, 204);
  EXPECT_EQ(api_->get("/api/v3/workspaces/1").status, 403);
  EXPECT_EQ(api_->del("/api/v3/workspaces/1").status, 403);
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/1", {{"name", "x"}}).status, 403);
  Reply shown = api_->get("/api/v3/workspaces/1?include_deleted=true");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.json()["name"], "alpha");
  EXPECT_EQ(api_->get("/api/v3/company/workspaces").json()["count"], 1);
  EXPECT_EQ(api_->get("/api/v3/company/workspaces?include_deleted=true").json()["count"], 2);
}

TEST_F(ParadigmSimTest, PatchChangesOnlyNameAndDescription) {
  create({{"name", "alpha"}, {"company_id", 1}, {"description", "old"}});
  Reply r = api_->patch("/api/v3/instance/workspaces/1", {{"name", "renamed"},
                                                          {"description", "new"},
                                                          {"company_id", 2},
                                                          {"workspace_type", "other"},
                                                          {"document_upload_method", "synced"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json w = api_->get("/api/v3/workspaces/1").json();
  EXPECT_EQ(w["name"], "renamed");
  EXPECT_EQ(w["description"], "new");
  EXPECT_EQ(w["document_upload_method"], "manual");
  EXPECT_EQ(r.json()["company"]["id"], 1);
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/1", {{"description", "kept"}}).json()["name"],
            "renamed");
}

TEST_F(ParadigmSimTest, PatchWithNullOrEmptyDescriptionClearsIt) {
  create({{"name", "alpha"}, {"company_id", 1}, {"description", "old"}});
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/1", {{"description", nullptr}})
                .json()["description"],
            "");
  api_->patch("/api/v3/instance/workspaces/1", {{"description", "again"}});
  EXPECT_EQ(
      api_->patch("/api/v3/instance/workspaces/1", {{"description", ""}}).json()["description"],
      "");
}

TEST_F(ParadigmSimTest, PatchValidatesName) {
  create_named("alpha");
  Reply r = api_->patch("/api/v3/instance/workspaces/1", {{"name", std::string(101, 'x')}});
  ASSERT_EQ(r.status, 400);
  EXPECT_TRUE(r.json()["name"].is_array());
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/1", {{"name", ""}}).status, 400);
  EXPECT_EQ(api_->get("/api/v3/workspaces/1").json()["name"], "alpha");
}

TEST_F(ParadigmSimTest, ListPaginatesWithAbsoluteNextUrl) {
  for (int i = 0; i < 25; ++i) create_named("w" + std::to_string(i));
  json page1 = api_->get("/api/v3/company/workspaces").json();
  EXPECT_EQ(page1["count"], 25);
  EXPECT_EQ(page1["results"].size(), 20u);
  EXPECT_TRUE(page1["previous"].is_null());
  std::string base = sim_->url("paradigm") + "/api/v3/company/workspaces";
  ASSERT_EQ(page1["next"], base + "?page=2");
  std::string next = page1["next"].get<std::string>().substr(sim_->url("paradigm").size());
  json page2 = api_->get(next).json();
  EXPECT_EQ(page2["results"].size(), 5u);
  EXPECT_EQ(page2["results"][0]["id"], 21);
  EXPECT_TRUE(page2["next"].is_null());
  EXPECT_EQ(page2["previous"], base);
}

TEST_F(ParadigmSimTest, ListFiltersByExactNameAndHonoursPageSize) {
  for (int i = 0; i < 12; ++i) create_named("same");
  create_named("same-but-longer");
  json r = api_->get("/api/v3/company/workspaces?name=same&page_size=5").json();
  EXPECT_EQ(r["count"], 12);
  EXPECT_EQ(r["results"].size(), 5u);
  std::string url = sim_->url("paradigm");
  EXPECT_EQ(r["next"], url + "/api/v3/company/workspaces?name=same&page_size=5&page=2");
  EXPECT_EQ(api_->get("/api/v3/company/workspaces?name=nobody").json()["count"], 0);
}

TEST_F(ParadigmSimTest, ListPageOutOfRangeIs404) {
  create_named("a");
  EXPECT_EQ(api_->get("/api/v3/company/workspaces?page=1").status, 200);
  Reply r = api_->get("/api/v3/company/workspaces?page=2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["detail"], "Invalid page.");
  EXPECT_EQ(api_->get("/api/v3/company/workspaces?page=0").status, 404);
}

TEST_F(ParadigmSimTest, UnknownRoutesAre404And405) {
  EXPECT_EQ(api_->get("/api/v3/nothing").status, 404);
  Reply r = api_->request("PUT", "/api/v3/workspaces/1");
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(r.json()["detail"].is_string());
}

}  // namespace
}  // namespace wsop::simtest
