// The plan's renderers: text, Markdown for pull request comments and the
// versioned JSON of docs/GITOPS.md.
#include "controller/plan/render.h"

#include <gtest/gtest.h>

#include <sstream>

namespace wsop::plan {
namespace {

WorkspacePlan item(const std::string& name, Action action, const std::string& config = "cd") {
  WorkspacePlan p;
  p.key = {"default", name};
  p.provider_config = config;
  p.action = action;
  return p;
}

// One of each kind a reviewer must tell apart.
Plan mixed_plan() {
  Plan plan;
  WorkspacePlan create = item("fresh", Action::kCreate);
  create.attributes = {{"spec.displayName", "\"Fresh\""}, {"spec.hardware.cpus", "2"}};
  plan.items.push_back(create);
  WorkspacePlan update = item("changed", Action::kUpdate);
  update.changes = {{"spec.description", "\"old\"", "\"new\"", false}};
  plan.items.push_back(update);
  WorkspacePlan paused = item("held", Action::kSkip);
  paused.paused = true;
  paused.note = "paused (workspace-operator.io/paused)";
  plan.items.push_back(paused);
  WorkspacePlan unknown = item("dark", Action::kNoop, "pd");
  unknown.unobserved = true;
  unknown.note = "remote workspace 17 could not be observed: HTTP 503";
  plan.items.push_back(unknown);
  plan.items.push_back(item("steady", Action::kNoop));
  return plan;
}

std::string text_of(const Plan& plan) {
  std::ostringstream out;
  render_text(plan, {}, out);
  return out.str();
}

std::string markdown_of(const Plan& plan, size_t max_bytes = kMarkdownMaxBytes) {
  std::ostringstream out;
  render_markdown(plan, out, max_bytes);
  return out.str();
}

TEST(PlanRenderTest, PausedAndUnknownAreNeitherUnchangedNorCreates) {
  Plan plan = mixed_plan();
  EXPECT_EQ(summary_line(plan),
            "1 to create or adopt, 1 to update, 0 to replace, 0 to delete or forget, 1 unchanged, "
            "1 paused, 1 unknown");
  std::string text = text_of(plan);
  EXPECT_NE(text.find("? unknown         default/dark (pd): remote workspace 17 could not be "
                      "observed: HTTP 503"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  paused          default/held (cd)"), std::string::npos) << text;
  EXPECT_NE(text.find("+ create          default/fresh (cd)\n      + spec.displayName = \"Fresh\"\n"
                      "      + spec.hardware.cpus = 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("steady"), std::string::npos) << text;
}

TEST(PlanRenderTest, JsonIsVersionedAndCountsMatchItems) {
  auto json = to_json(mixed_plan());
  EXPECT_EQ(json["apiVersion"], kPlanApiVersion);
  EXPECT_EQ(json["kind"], "Plan");
  EXPECT_TRUE(json["changes"].get<bool>());
  const auto& summary = json["summary"];
  EXPECT_EQ(summary["create"], 1);
  EXPECT_EQ(summary["update"], 1);
  EXPECT_EQ(summary["paused"], 1);
  EXPECT_EQ(summary["unknown"], 1);
  EXPECT_EQ(summary["noop"], 1);
  EXPECT_EQ(summary["skip"], 0);
  EXPECT_EQ(summary["total"], 5);
  size_t sum = 0;
  std::map<std::string, size_t> by_action;
  for (const auto& i : json["items"]) ++by_action[i["action"].get<std::string>()];
  for (const auto& [key, value] : summary.items()) {
    if (key == "total") continue;
    EXPECT_EQ(value.get<size_t>(), by_action[key]) << key;
    sum += value.get<size_t>();
  }
  EXPECT_EQ(sum, 5u);
  const auto& fresh = json["items"][0];
  EXPECT_EQ(fresh["attributes"][1]["path"], "spec.hardware.cpus");
  EXPECT_EQ(fresh["attributes"][1]["value"], "2");
  EXPECT_TRUE(fresh["writesRemote"].get<bool>());
  EXPECT_EQ(json["items"][3]["plannedAction"], "noop");
  EXPECT_TRUE(json["items"][3]["unobserved"].get<bool>());
}

TEST(PlanRenderTest, MarkdownHasASummaryAndATablePerProviderConfig) {
  std::string md = markdown_of(mixed_plan());
  EXPECT_EQ(md.rfind("### wsctl diff\n\n**Plan:** 1 to create or adopt, ", 0), 0u) << md;
  size_t cd = md.find("#### ProviderConfig <code>cd</code>: 1 create, 1 paused, 1 update");
  size_t pd = md.find("#### ProviderConfig <code>pd</code>: 1 unknown");
  ASSERT_NE(cd, std::string::npos) << md;
  ASSERT_NE(pd, std::string::npos) << md;
  EXPECT_LT(cd, pd);
  EXPECT_NE(
      md.find("| + | create | <code>default/fresh</code> | + <code>spec&#46;displayName</code> "
              "= <code>\"Fresh\"</code><br>"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("<code>\"old\"</code> → <code>\"new\"</code>"), std::string::npos) << md;
  EXPECT_NE(md.find("| ? | unknown | <code>default/dark</code> |  | remote workspace 17 could "
                    "not be observed&#58; HTTP 503 |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("steady"), std::string::npos) << md;
  EXPECT_EQ(md.find("<details>"), std::string::npos) << "nothing long to fold:\n" << md;
}

// A display name is the author's text: it must not break the table, inject
// HTML or mention anyone in the comment.
TEST(PlanRenderTest, MarkdownEscapesWhatManifestsSay) {
  Plan plan;
  WorkspacePlan create = item("fresh", Action::kCreate);
  create.attributes = {{"spec.displayName", "\"a | b <script>@team [x](y) `c`\nd\""}};
  plan.items.push_back(create);
  std::string md = markdown_of(plan);
  for (const char* raw : {"a | b", "<script>", "@team", "[x](y)", "`c`", "\nd"}) {
    EXPECT_EQ(md.find(raw), std::string::npos) << raw << " in\n" << md;
  }
  EXPECT_NE(md.find("a &#124; b &#60;script&#62;&#64;team"), std::string::npos) << md;
}

TEST(PlanRenderTest, MarkdownFoldsLongSectionsAndStaysUnderItsLimit) {
  Plan plan;
  for (int i = 0; i < 30; ++i) {
    WorkspacePlan create = item("ws-" + std::to_string(i), Action::kCreate);
    for (int f = 0; f < 8; ++f) create.attributes.push_back({"spec.f" + std::to_string(f), "1"});
    plan.items.push_back(create);
  }
  std::string md = markdown_of(plan);
  EXPECT_NE(md.find("<details><summary>ProviderConfig <code>cd</code>: 30 create</summary>"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<details><summary>8 fields</summary>"), std::string::npos) << md;
  EXPECT_EQ(md.find("more workspace(s) not listed"), std::string::npos);

  std::string cut = markdown_of(plan, 4000);
  EXPECT_LE(cut.size(), 4000u + 200u) << cut;  // the closing lines are past the budget
  EXPECT_NE(cut.find("more workspace(s) not listed"), std::string::npos) << cut;
  EXPECT_NE(cut.find("ws-0<"), std::string::npos);
  EXPECT_EQ(cut.find("ws-29<"), std::string::npos);
}

TEST(PlanRenderTest, MarkdownSaysNoChanges) {
  Plan plan;
  plan.items.push_back(item("steady", Action::kNoop));
  std::string md = markdown_of(plan);
  EXPECT_NE(md.find("No changes."), std::string::npos) << md;
  EXPECT_EQ(md.find("| "), std::string::npos) << md;
}

}  // namespace
}  // namespace wsop::plan
