// The API types' own behaviour: the one reading of a Workspace key, the
// names of policies and condition statuses as manifests and status spell
// them, and the annotations a Workspace answers to.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "api/v1alpha1/types.h"

namespace wsop::model {
namespace {

struct KeyCase {
  const char* text;
  const char* default_ns;
  std::optional<WorkspaceKey> want;
};

TEST(WorkspaceKeyTest, ParsesWhatToStringWritesAndNothingElse) {
  const KeyCase cases[] = {
      {"team/alpha", "default", WorkspaceKey{"team", "alpha"}},
      {"alpha", "default", WorkspaceKey{"default", "alpha"}},
      {"alpha", "", WorkspaceKey{"", "alpha"}},  // -A: a name in any namespace
      {"", "default", std::nullopt},
      {"/alpha", "default", std::nullopt},
      {"team/", "default", std::nullopt},
      {"team/alpha/extra", "default", std::nullopt},
  };
  for (const KeyCase& c : cases) {
    EXPECT_EQ(WorkspaceKey::parse(c.text, c.default_ns), c.want) << c.text;
  }
  WorkspaceKey key{"team", "alpha"};
  EXPECT_EQ(key.to_string(), "team/alpha");
  EXPECT_EQ(WorkspaceKey::parse(key.to_string(), "other"), key);
}

TEST(ConditionStatusTest, RoundTripsAsStatusSpellsIt) {
  for (ConditionStatus s :
       {ConditionStatus::kTrue, ConditionStatus::kFalse, ConditionStatus::kUnknown}) {
    EXPECT_EQ(condition_status_from_string(to_string(s)), s);
  }
  EXPECT_EQ(condition_status_from_string("true"), std::nullopt) << "case matters, as in Kubernetes";
}

TEST(WorkspaceTest, AnnotationsSayAdoptionAndPause) {
  Workspace ws;
  EXPECT_EQ(ws.external_name(), std::nullopt);
  EXPECT_FALSE(ws.paused());
  ws.annotations[kAnnotationExternalName] = "";
  EXPECT_EQ(ws.external_name(), std::nullopt) << "an empty external-name adopts nothing";
  ws.annotations[kAnnotationExternalName] = "ws-42";
  ws.annotations[kAnnotationPaused] = "true";
  EXPECT_EQ(ws.external_name(), "ws-42");
  EXPECT_TRUE(ws.paused());
  ws.annotations[kAnnotationPaused] = "yes";
  EXPECT_FALSE(ws.paused()) << "only \"true\" pauses";
  EXPECT_STREQ(to_string(DeletionPolicy::kOrphan), "Orphan");
  EXPECT_STREQ(to_string(ManagementPolicy::kObserveOnly), "ObserveOnly");
}

}  // namespace
}  // namespace wsop::model
