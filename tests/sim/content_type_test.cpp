// Request media types on the three simulated APIs: a body that is not in a
// media type the API reads answers 415 in the vendor's error shape and
// changes nothing; a body-less request is never refused for it. Paradigm's
// create also reads the two form media types seed 000 lists (lines 35-45).
#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kTextPlain = {{"Content-Type", "text/plain"}};
const std::string kAetherCreate = std::string("/projects/") + kProject + "/workspaces";

class ContentTypeTest : public SimTest {
 protected:
  std::size_t stored(const char* provider) {
    return sim_->service(provider)->api().state()["workspaces"].size();
  }
};

TEST_F(ContentTypeTest, ParadigmAnswers415WithDetail) {
  Client api = client("paradigm");
  std::string body = json({{"name", "a"}, {"company_id", 1}}).dump();
  Reply r = api.request("POST", "/api/v3/instance/workspaces", body, kTextPlain);
  ASSERT_EQ(r.status, 415) << r.body;
  EXPECT_EQ(r.json(), json({{"detail", "Unsupported media type \"text/plain\" in request."}}));
  EXPECT_EQ(api.request("POST", "/api/v3/instance/workspaces", body, {{"Content-Type", ""}}).status,
            415);
  EXPECT_EQ(stored("paradigm"), 0u);
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON"}) {
    EXPECT_EQ(
        api.request("POST", "/api/v3/instance/workspaces", body, {{"Content-Type", type}}).status,
        201)
        << type;
  }
  Reply patch =
      api.request("PATCH", "/api/v3/instance/workspaces/1", R"({"name": "changed"})", kTextPlain);
  EXPECT_EQ(patch.status, 415);
  EXPECT_EQ(api.get("/api/v3/workspaces/1").json()["name"], "a");
}

TEST_F(ContentTypeTest, ParadigmReadsTheFormMediaTypesItsCreatePageLists) {
  Client api = client("paradigm");
  Reply form = api.request("POST", "/api/v3/instance/workspaces",
                           "name=Team+A&company_id=1&description=caf%C3%A9&workspace_type=custom",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(form.status, 201) << form.body;
  EXPECT_EQ(form.json()["name"], "Team A");
  EXPECT_EQ(form.json()["description"], "café");
  EXPECT_EQ(form.json()["company"]["id"], 1);
  std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n multi \r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"company_id\"\r\n\r\n1\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"document_upload_method\"\r\n\r\n"
      "synced\r\n--XyZ--\r\n";
  Reply parts = api.request("POST", "/api/v3/instance/workspaces", multipart,
                            {{"Content-Type", "multipart/form-data; boundary=XyZ"}});
  ASSERT_EQ(parts.status, 201) << parts.body;
  EXPECT_EQ(parts.json()["name"], "multi");
  EXPECT_EQ(parts.json()["document_upload_method"], "synced");
  Reply no_boundary = api.request("POST", "/api/v3/instance/workspaces", multipart,
                                  {{"Content-Type", "multipart/form-data"}});
  EXPECT_EQ(no_boundary.status, 400);
  EXPECT_TRUE(no_boundary.json()["detail"].is_string()) << no_boundary.body;
  Reply missing = api.request("POST", "/api/v3/instance/workspaces", "name=x",
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(missing.json(), json({{"company_id", {"This field is required."}}}));
  EXPECT_EQ(stored("paradigm"), 2u);
}

TEST_F(ContentTypeTest, AetherAnswers415WithError) {
  Client api = client("aether");
  Reply r = api.request("POST", kAetherCreate, R"({"keep_active": true})", kTextPlain);
  ASSERT_EQ(r.status, 415) << r.body;
  EXPECT_TRUE(r.json()["error"].is_string()) << r.body;
  EXPECT_EQ(stored("aether"), 0u);
  Reply created = api.request("POST", kAetherCreate, R"({"keep_active": true})",
                              {{"Content-Type", "application/json;charset=UTF-8"}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["id"];
  EXPECT_EQ(api.request("PATCH", "/workspaces/" + id, R"({"cpus": 4})", kTextPlain).status, 415);
  EXPECT_EQ(api.get("/workspaces/" + id).json()["hardware"]["cpus"], 2);
  // Body-less POSTs carry no Content-Type and are not refused for it.
  EXPECT_EQ(api.request("POST", kAetherCreate).status, 201);
  ASSERT_TRUE(
      eventually([&] { return api.get("/workspaces/" + id).json()["status"] == "running"; }));
  Reply stop = api.request("POST", "/workspaces/" + id + "/stop");
  EXPECT_EQ(stop.status, 200) << stop.body;
}

TEST_F(ContentTypeTest, CadenyaAnswers415WithStatus) {
  Client api = client("cadenya");
  std::string body = json({{"metadata", {{"name", "a"}}}}).dump();
  Reply r = api.request("POST", "/v1/account/workspaces", body, kTextPlain);
  ASSERT_EQ(r.status, 415) << r.body;
  EXPECT_EQ(r.json()["code"], 3);
  EXPECT_TRUE(r.json()["message"].is_string());
  EXPECT_TRUE(r.json()["details"].is_array());
  EXPECT_EQ(stored("cadenya"), 0u);
  Reply created = api.request("POST", "/v1/account/workspaces", body,
                              {{"Content-Type", "application/json; charset=utf-8"}});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = created.json()["metadata"]["id"];
  std::string rename = json({{"metadata", {{"name", "b"}}}}).dump();
  EXPECT_EQ(api.request("PATCH", "/v1/account/workspaces/" + id, rename, kTextPlain).status, 415);
  EXPECT_EQ(api.get("/v1/account/workspaces/" + id).json()["metadata"]["name"], "a");
}

TEST_F(ContentTypeTest, TheTestClientSendsJsonContentTypeWithABody) {
  // Every other simulator test relies on it, as providers/http/client.cpp does.
  EXPECT_EQ(client("aether").post(kAetherCreate, json::object()).status, 201);
  EXPECT_EQ(client("paradigm")
                .post("/api/v3/instance/workspaces", {{"name", "n"}, {"company_id", 1}})
                .status,
            201);
}

}  // namespace
}  // namespace wsop::simtest
