// wsctl's -l label selector (cmd/wsctl/label_selector.h): kubectl's equality- and set-based terms,
// comma-separated, all of which must hold; anything else an error.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cmd/wsctl/label_selector.h"

namespace wsop::cli {
namespace {

struct SelectorCase {
  const char* selector;
  bool selected;
};

void expect_cases(const std::map<std::string, std::string>& labels,
                  std::initializer_list<SelectorCase> cases) {
  for (const SelectorCase& c : cases) {
    auto selector = LabelSelector::parse(c.selector);
    ASSERT_TRUE(selector) << c.selector << ": " << selector.status().to_string();
    EXPECT_EQ(selector->matches(labels), c.selected) << "selector \"" << c.selector << "\"";
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

TEST(LabelSelectorTest, SetBased) {
  expect_cases(kTeamA, {
                           {"team in (a,b)", true},
                           {"team in (b, c)", false},
                           {"team in(a)", true},
                           {"owner in (a)", false},  // a missing label is in no set
                           {"team notin (b,c)", true},
                           {"team notin (a)", false},
                           {"owner notin (a)", true},  // and outside every one
                           {"team in (a,b),tier notin (silver),!owner", true},
                           {"team in (a,b),tier=silver", false},
                       });
}

// A selector kubectl would refuse is refused, naming the term, instead of
// quietly selecting nothing (and, for prune or delete, acting on nothing
// or on the wrong set).
TEST(LabelSelectorTest, AMalformedSelectorIsAnErrorNamingTheTerm) {
  struct Bad {
    const char* selector;
    const char* names;
  };
  for (const Bad& bad : std::initializer_list<Bad>{
           {"team=a,=b", "term 2 \"=b\""},
           {"team in (a,b", "parentheses"},
           {"team in a,b)", "parentheses"},
           {"team among (a)", "term 1"},
           {"team in (a) x", "term 1"},
           {"team=a b", "label value"},
           {"bad key!=x", "label key"},
           {"!", "no label key"},
       }) {
    auto got = LabelSelector::parse(bad.selector);
    ASSERT_FALSE(got) << bad.selector;
    EXPECT_EQ(got.status().code(), Code::kInvalid) << bad.selector;
    EXPECT_NE(got.status().message().find(bad.names), std::string::npos)
        << bad.selector << ": " << got.status().message();
  }
}

}  // namespace
}  // namespace wsop::cli
