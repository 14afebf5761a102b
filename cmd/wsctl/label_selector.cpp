#include "cmd/wsctl/label_selector.h"

#include <algorithm>

#include "controller/manifest/rules.h"

namespace wsop::cli {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The terms between top-level commas: "a in (x,y),b" is two terms.
Outcome<std::vector<std::string_view>> split_terms(std::string_view text) {
  std::vector<std::string_view> terms;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth < 0 || depth > 1) return Status::error(Code::kInvalid, "unbalanced parentheses");
    if (c == ',' && depth == 0) {
      terms.push_back(trimmed(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) return Status::error(Code::kInvalid, "unbalanced parentheses");
  return terms;
}

Status check_key(std::string_view key) {
  if (key.empty()) return Status::error(Code::kInvalid, "no label key");
  std::string problem = manifest::check_label_key(key);
  if (!problem.empty()) return Status::error(Code::kInvalid, "label key: " + problem);
  return Status::ok();
}

Status check_value(std::string_view value) {
  std::string problem = manifest::check_label_value(value);
  if (!problem.empty()) return Status::error(Code::kInvalid, "label value: " + problem);
  return Status::ok();
}

}  // namespace

Outcome<LabelSelector::Requirement> LabelSelector::parse_term(std::string_view term) {
  Requirement out;
  if (term.front() == '!') {
    out.key = std::string(trimmed(term.substr(1)));
    out.op = Op::kNotExists;
  } else if (size_t open = term.find('('); open != std::string_view::npos) {
    std::string_view head = trimmed(term.substr(0, open));
    size_t space = head.rfind(' ');
    std::string_view word = space == std::string_view::npos ? "" : head.substr(space + 1);
    if ((word != "in" && word != "notin") || term.back() != ')') {
      return Status::error(Code::kInvalid, "expected KEY in (V1,V2) or KEY notin (V1,V2)");
    }
    out.key = std::string(trimmed(head.substr(0, space)));
    out.op = word == "in" ? Op::kIn : Op::kNotIn;
    std::string_view list = term.substr(open + 1, term.size() - open - 2);
    size_t start = 0;
    for (size_t i = 0; i <= list.size(); ++i) {
      if (i < list.size() && list[i] != ',') continue;
      out.values.emplace_back(trimmed(list.substr(start, i - start)));
      start = i + 1;
    }
  } else if (size_t neq = term.find("!="); neq != std::string_view::npos) {
    out.key = std::string(trimmed(term.substr(0, neq)));
    out.op = Op::kNotEquals;
    out.values.emplace_back(trimmed(term.substr(neq + 2)));
  } else if (size_t eq = term.find('='); eq != std::string_view::npos) {
    size_t value_at = term.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
    out.key = std::string(trimmed(term.substr(0, eq)));
    out.op = Op::kEquals;
    out.values.emplace_back(trimmed(term.substr(value_at)));
  } else {
    out.key = std::string(term);
  }
  if (Status s = check_key(out.key); !s.is_ok()) return s;
  for (const auto& value : out.values) {
    if (Status s = check_value(value); !s.is_ok()) return s;
  }
  return out;
}

Outcome<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto terms = split_terms(text);
  if (!terms) return terms.status().with_context("label selector \"" + std::string(text) + "\"");
  LabelSelector selector;
  for (size_t i = 0; i < terms->size(); ++i) {
    std::string_view term = (*terms)[i];
    if (term.empty()) continue;
    auto requirement = parse_term(term);
    if (!requirement) {
      return requirement.status().with_context("label selector term " + std::to_string(i + 1) +
                                               " \"" + std::string(term) + "\"");
    }
    selector.requirements_.push_back(std::move(*requirement));
  }
  return selector;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const Requirement& r) {
    auto it = labels.find(r.key);
    bool present = it != labels.end();
    bool listed =
        present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    switch (r.op) {
      case Op::kExists: return present;
      case Op::kNotExists: return !present;
      case Op::kEquals:
      case Op::kIn: return listed;
      case Op::kNotEquals:
      case Op::kNotIn: return !listed;
    }
    return false;
  });
}

}  // namespace wsop::cli
