// wsctl's -l label selector (cmd/wsctl/engine.h, matches_selector):
// kubectl's equality-based terms, comma-separated, all of which must hold.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cmd/wsctl/engine.h"

namespace wsop::cli {
namespace {

struct SelectorCase {
  const char* selector;
  bool selected;
};

void expect_cases(const std::map<std::string, std::string>& labels,
                  std::initializer_list<SelectorCase> cases) {
  for (const SelectorCase& c : cases) {
    auto got = matches_selector(c.selector, labels);
    ASSERT_TRUE(got) << c.selector << ": " << got.status().to_string();
    EXPECT_EQ(*got, c.selected) << "selector \"" << c.selector << "\"";
  }
}

const std::map<std::string, std::string> kTeamA = {{"team", "a"}, {"tier", "gold"}};

TEST(LabelSelectorTest, EmptySelectsEverything) {
  expect_cases(kTeamA, {{"", true}, {",", true}, {",,", true}});
  expect_cases({}, {{"", true}});
}

TEST(LabelSelectorTest, Equality) {
  expect_cases(kTeamA, {
                           {"team=a", true},
                           {"team==a", true},  // kubectl's other spelling
                           {"team=b", false},
                           {"team=", false},    // the empty value is a value
                           {"owner=a", false},  // a missing label equals nothing
                           {"team=ab", false},  // no prefix match
                           {"tea=a", false},    // nor on the key
                       });
  expect_cases({{"team", ""}}, {{"team=", true}});
}

TEST(LabelSelectorTest, Inequality) {
  expect_cases(kTeamA, {
                           {"team!=b", true},
                           {"team!=a", false},
                           {"owner!=a", true},  // a missing label differs from every value
                       });
}

TEST(LabelSelectorTest, ExistsAndNotExists) {
  expect_cases(kTeamA, {
                           {"team", true},
                           {"owner", false},
                           {"!owner", true},
                           {"!team", false},
                       });
}

TEST(LabelSelectorTest, EveryTermMustHold) {
  expect_cases(kTeamA, {
                           {"team=a,tier=gold", true},
                           {"team=a,tier=silver", false},
                           {"team=a,!owner,tier!=silver", true},
                           {"team=a,owner", false},
                           {"team=a,,tier=gold,", true},  // empty terms are ignored
                       });
}

}  // namespace
}  // namespace wsop::cli
