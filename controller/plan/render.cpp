#include "controller/plan/render.h"

namespace wsop::plan {
namespace {

struct Style {
  const char* symbol;
  const char* colour;
};

Style style_of(const WorkspacePlan& item) {
  switch (item.action) {
    case Action::kCreate: return {"+", "\033[32m"};
    case Action::kAdopt: return {"+", "\033[36m"};
    case Action::kUpdate: return {"~", "\033[33m"};
    case Action::kReplace: return {item.blocked ? "!" : "-/+", "\033[35m"};
    case Action::kDelete: return {"-", "\033[31m"};
    case Action::kOrphan: return {"-", "\033[36m"};
    case Action::kResolvePending: return {"?", "\033[35m"};
    case Action::kSkip: return {" ", "\033[2m"};
    case Action::kNoop: break;
  }
  return {" ", ""};
}

void render_item(const WorkspacePlan& item, const RenderOptions& options, std::ostream& out) {
  Style style = style_of(item);
  const char* reset = options.colour ? "\033[0m" : "";
  const char* colour = options.colour ? style.colour : "";
  std::string action = to_string(item.action);
  out << colour << style.symbol << " " << action << std::string(16 - action.size(), ' ')
      << item.key.to_string() << reset << " (" << item.provider_config << ")";
  if (!item.note.empty()) out << ": " << item.note;
  out << "\n";
  for (const auto& change : item.changes) {
    out << "      " << change.path << ": " << change.observed << " -> " << change.desired;
    if (change.requires_replacement) out << " (requires replacement)";
    out << "\n";
  }
}

bool worth_showing(const WorkspacePlan& item, const RenderOptions& options) {
  if (options.show_noop) return true;
  if (item.action != Action::kNoop && item.action != Action::kSkip) return true;
  // Unchanged but with something to say (drift left alone, unobservable).
  return !item.note.empty() && item.action == Action::kNoop;
}

}  // namespace

std::string summary_line(const Plan& plan) {
  size_t unchanged = plan.count(Action::kNoop) + plan.count(Action::kSkip);
  std::string out = std::to_string(plan.count(Action::kCreate) + plan.count(Action::kAdopt)) +
                    " to create or adopt, " + std::to_string(plan.count(Action::kUpdate)) +
                    " to update, " + std::to_string(plan.count(Action::kReplace)) +
                    " to replace, " +
                    std::to_string(plan.count(Action::kDelete) + plan.count(Action::kOrphan)) +
                    " to delete or forget, " + std::to_string(unchanged) + " unchanged";
  if (size_t pending = plan.count(Action::kResolvePending)) {
    out += ", " + std::to_string(pending) + " pending create(s) to resolve";
  }
  return out;
}

void render_text(const Plan& plan, const RenderOptions& options, std::ostream& out) {
  for (const auto& item : plan.items) {
    if (worth_showing(item, options)) render_item(item, options, out);
  }
  out << "Plan: " << summary_line(plan) << ".\n";
}

nlohmann::ordered_json to_json(const Plan& plan) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& item : plan.items) {
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const auto& c : item.changes) {
      changes.push_back({{"path", c.path},
                         {"observed", c.observed},
                         {"desired", c.desired},
                         {"requiresReplacement", c.requires_replacement}});
    }
    items.push_back({{"namespace", item.key.ns},
                     {"name", item.key.name},
                     {"providerConfig", item.provider_config},
                     {"action", to_string(item.action)},
                     {"blocked", item.blocked},
                     {"unobserved", item.unobserved},
                     {"note", item.note},
                     {"changes", changes}});
  }
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  for (Action a :
       {Action::kCreate, Action::kAdopt, Action::kUpdate, Action::kReplace, Action::kResolvePending,
        Action::kDelete, Action::kOrphan, Action::kNoop, Action::kSkip}) {
    summary[to_string(a)] = plan.count(a);
  }
  return {{"changes", plan.has_changes()}, {"summary", summary}, {"items", items}};
}

}  // namespace wsop::plan
