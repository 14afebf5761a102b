// Company-scoped and read-only tokens of the simulated Paradigm API:
// ../shared/providers/paradigm.md ("The company list is company-scoped",
// "403 on create") and seed 000 lines 58-59 (403 for insufficient rights).
#include <gtest/gtest.h>

#include <set>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

constexpr const char* kWorkspaces = "/api/v3/instance/workspaces";
constexpr const char* kCompanyList = "/api/v3/company/workspaces";

class ParadigmTokensTest : public SimTest {
 protected:
  // t1 is a configured token (company 1 by default), t2 belongs to company 2,
  // ro is read-only; t2 and ro are accepted because the options name them.
  void SetUp() override {
    sim::SimConfig config = test_config();
    config.at("paradigm").auth.tokens = {"t1"};
    sim::paradigm::options_of(config).companies = {{1, "Acme"}, {2, "Beta"}};
    sim::paradigm::options_of(config).token_companies = {{"t2", 2}};
    sim::paradigm::options_of(config).readonly_tokens = {"ro"};
    start(std::move(config));
  }
  std::int64_t create_in(Client& c, const std::string& name, std::int64_t company) {
    Reply r = c.post(kWorkspaces, {{"name", name}, {"company_id", company}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<std::int64_t>();
  }
  static std::set<std::string> listed_names(Client& c, const std::string& query = "") {
    Reply r = c.get(kCompanyList + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> names;
    json page = r.json();  // a named value: the loop must not walk a destroyed temporary
    for (const json& item : page["results"]) names.insert(item["name"].get<std::string>());
    return names;
  }
  std::size_t stored() { return sim_->service("paradigm")->api().state()["workspaces"].size(); }
};

TEST_F(ParadigmTokensTest, CompanyListShowsOnlyTheTokensCompany) {
  Client t1 = client("paradigm", "t1"), t2 = client("paradigm", "t2");
  // The instance-level create takes any configured company, whoever asks.
  create_in(t1, "one-a", 1);
  std::int64_t other = create_in(t1, "two-a", 2);
  create_in(t2, "two-b", 2);
  create_in(t2, "one-b", 1);
  EXPECT_EQ(listed_names(t1), (std::set<std::string>{"one-a", "one-b"}));
  EXPECT_EQ(listed_names(t2), (std::set<std::string>{"two-a", "two-b"}));
  EXPECT_EQ(t1.get(std::string(kCompanyList) + "?name=two-a").json()["count"], 0);
  EXPECT_EQ(t2.get(std::string(kCompanyList) + "?name=two-a").json()["count"], 1);
  // The retrieve is not company-scoped, as before.
  Reply got = t1.get("/api/v3/workspaces/" + std::to_string(other));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_FALSE(got.json().contains("company"));
}

TEST_F(ParadigmTokensTest, ListItemsLeaveOutCompanyButWritesCarryIt) {
  Client t2 = client("paradigm", "t2");
  Reply created = t2.post(kWorkspaces, {{"name", "w"}, {"company_id", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["company"], json({{"id", 2}, {"name", "Beta"}}));
  Reply patched = t2.patch("/api/v3/instance/workspaces/1", {{"description", "d"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["company"]["id"], 2);
  json items = t2.get(kCompanyList).json()["results"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items[0].contains("company")) << items[0].dump();
  for (const char* key : {"id", "name", "description", "workspace_type", "document_upload_method",
                          "created_at", "updated_at", "user_role", "used_storage", "files_count"}) {
    EXPECT_TRUE(items[0].contains(key)) << key;
  }
}

TEST_F(ParadigmTokensTest, NamedTokensAreAcceptedBesideTheConfiguredOnes) {
  for (const char* token : {"t1", "t2", "ro"}) {
    EXPECT_EQ(client("paradigm", token).get(kCompanyList).status, 200) << token;
  }
  Reply stranger = client("paradigm", "stranger").get(kCompanyList);
  EXPECT_EQ(stranger.status, 401);
  EXPECT_EQ(stranger.json()["detail"], "Invalid token.");
}

TEST_F(ParadigmTokensTest, ReadOnlyTokenCreateIs403AndCreatesNothing) {
  Client ro = client("paradigm", "ro");
  Reply r = ro.post(kWorkspaces, {{"name", "w"}, {"company_id", 1}});
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json(), json({{"detail", "You do not have permission to perform this action."}}));
  // DRF checks permissions before it reads the body.
  EXPECT_EQ(ro.post(kWorkspaces, json::object()).status, 403);
  EXPECT_EQ(ro.request("POST", kWorkspaces, "x", {{"Content-Type", "text/plain"}}).status, 403);
  EXPECT_EQ(stored(), 0u);
  // Reads and lists still work for that token.
  Client t1 = client("paradigm", "t1");
  std::int64_t id = create_in(t1, "visible", 1);
  EXPECT_EQ(listed_names(ro), (std::set<std::string>{"visible"}));
  EXPECT_EQ(ro.get("/api/v3/workspaces/" + std::to_string(id)).status, 200);
}

TEST(ParadigmTokensDefaultTest, AnyTokenIsCompanyOneByDefault) {
  sim::Simulator simulator(test_config());
  ASSERT_TRUE(simulator.start().is_ok());
  Client a(simulator.url("paradigm"), "a"), b(simulator.url("paradigm"), "b");
  EXPECT_EQ(a.post(kWorkspaces, {{"name", "w"}, {"company_id", 1}}).status, 201);
  EXPECT_EQ(b.get(kCompanyList).json()["count"], 1);
}

TEST(ParadigmTokensDefaultTest, TokenOfAnUnconfiguredCompanyIsAConfigurationError) {
  sim::SimConfig config = test_config();
  sim::paradigm::options_of(config).token_companies = {{"t", 7}};
  sim::Simulator simulator(config);
  Status s = simulator.start();
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("company 7"), std::string::npos) << s.to_string();
}

}  // namespace
}  // namespace wsop::simtest
