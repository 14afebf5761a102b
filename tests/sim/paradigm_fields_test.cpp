// Field rules of the simulated Paradigm create and PATCH against seed 000
// (name maxLength 100, description a non-nullable string with default "")
// and ../shared/providers/paradigm.md ("DRF trims strings"; PATCH: "empty or
// null description clears it").
#include <gtest/gtest.h>

#include "tests/sim/sim_fixture.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

constexpr const char* kInstanceWorkspaces = "/api/v3/instance/workspaces";

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

class ParadigmFieldsTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    api_ = std::make_unique<Client>(client("paradigm"));
  }
  Reply create(const json& body) { return api_->post(kInstanceWorkspaces, body); }
  Reply create_named(const std::string& name) {
    return create({{"name", name}, {"company_id", 1}});
  }
  std::size_t stored() { return sim_->service("paradigm")->api().state()["workspaces"].size(); }

  std::unique_ptr<Client> api_;
};

TEST_F(ParadigmFieldsTest, NameLimitCountsCharactersNotBytes) {
  for (const char* letter : {"é", "日", "\xF0\x9F\x98\x80"}) {  // 2, 3 and 4 bytes
    std::string name = repeat(letter, 100);
    Reply ok = create_named(name);
    ASSERT_EQ(ok.status, 201) << letter << ": " << ok.body;
    EXPECT_EQ(ok.json()["name"], name);
    Reply over = create_named(repeat(letter, 101));
    ASSERT_EQ(over.status, 400) << letter;
    EXPECT_EQ(over.json(),
              json({{"name", {"Ensure this field has no more than 100 characters."}}}));
  }
  EXPECT_EQ(stored(), 3u);
  Reply patched = api_->patch("/api/v3/instance/workspaces/1", {{"name", repeat("ü", 100)}});
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(api_->patch("/api/v3/instance/workspaces/1", {{"name", repeat("ü", 101)}}).status, 400);
}

TEST_F(ParadigmFieldsTest, NameAndDescriptionAreTrimmed) {
  Reply r = create({{"name", "  alpha \n"}, {"company_id", 1}, {"description", "\tsome text \n"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["name"], "alpha");
  EXPECT_EQ(r.json()["description"], "some text");
  // Python's str.strip() also removes Unicode spaces (U+00A0, U+3000).
  json unicode = create_named("\u00a0beta\u3000").json();
  EXPECT_EQ(unicode["name"], "beta");
  // Trimming comes before the length check and the blank check.
  EXPECT_EQ(create_named("  " + std::string(100, 'n') + "  ").status, 201);
  EXPECT_EQ(create_named(" \u00a0\n").json()["name"][0], "This field may not be blank.");
  Reply patched =
      api_->patch("/api/v3/instance/workspaces/1", {{"name", " gamma "}, {"description", " d\n"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["name"], "gamma");
  EXPECT_EQ(patched.json()["description"], "d");
}

TEST_F(ParadigmFieldsTest, CreateWithNullDescriptionIs400) {
  Reply r = create({{"name", "alpha"}, {"company_id", 1}, {"description", nullptr}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json(), json({{"description", {"This field may not be null."}}}));
  EXPECT_EQ(stored(), 0u);
  // Absent, it defaults to "" (seed 000 line 73).
  EXPECT_EQ(create_named("alpha").json()["description"], "");
}

TEST_F(ParadigmFieldsTest, PatchWithNullDescriptionStillClearsIt) {
  create({{"name", "alpha"}, {"company_id", 1}, {"description", "old"}});
  Reply r = api_->patch("/api/v3/instance/workspaces/1", {{"description", nullptr}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["description"], "");
}

}  // namespace
}  // namespace wsop::simtest
