// wsctl's -l: a label selector as kubectl reads one, equality- and
// set-based terms joined by commas, all of which must hold:
//   key=value  key==value  key!=value  key in (v1,v2)  key notin (v1,v2)
//   key        !key
// Keys and values follow the label syntax the manifests obey
// (controller/manifest/rules.h). A term that is none of these is an error
// naming it, never a selector that quietly matches nothing. As kubectl:
// a missing label differs from every value (key!=v, notin hold), and empty
// terms (a trailing comma) are ignored.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wsop::cli {

class LabelSelector {
 public:
  // kInvalid: "term 2 \"env in (a\": ...".
  static Outcome<LabelSelector> parse(std::string_view text);

  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };
  static Outcome<Requirement> parse_term(std::string_view term);

  std::vector<Requirement> requirements_;
};

}  // namespace wsop::cli
