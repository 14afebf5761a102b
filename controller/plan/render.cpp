#include "controller/plan/render.h"

namespace wsop::plan {
namespace {

struct Style {
  const char* symbol;
  const char* colour;
};

Style style_of(const WorkspacePlan& item) {
  if (item.unobserved) return {"?", "\033[35m"};
  if (item.moved_from && item.action == Action::kNoop) return {">", "\033[36m"};
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
  std::string action = shown_action(item);
  out << colour << style.symbol << " " << action
      << std::string(action.size() < 16 ? 16 - action.size() : 1, ' ') << item.key.to_string()
      << reset << " (" << item.provider_config << ")";
  if (!item.note.empty()) out << ": " << item.note;
  out << "\n";
  for (const auto& attribute : item.attributes) {
    out << "      + " << attribute.path << " = " << attribute.value << "\n";
  }
  for (const auto& change : item.changes) {
    out << "      " << change.path << ": " << change.observed << " -> " << change.desired;
    if (change.requires_replacement) out << " (requires replacement)";
    out << "\n";
  }
}

bool worth_showing(const WorkspacePlan& item, const RenderOptions& options) {
  if (options.show_noop || item.paused || item.unobserved || item.moved_from) return true;
  if (item.action != Action::kNoop && item.action != Action::kSkip) return true;
  // Unchanged but with something to say (drift left alone, local-only change).
  return !item.note.empty() && item.action == Action::kNoop;
}

// Every value shown_action takes, in the order summaries list them.
constexpr const char* kShownActions[] = {"create",          "adopt",  "move",   "update", "replace",
                                         "resolve-pending", "delete", "orphan", "noop",   "skip",
                                         "paused",          "unknown"};

size_t count_shown(const Plan& plan, const std::string& shown) {
  size_t n = 0;
  for (const auto& item : plan.items) n += shown_action(item) == shown ? 1 : 0;
  return n;
}

nlohmann::ordered_json item_json(const WorkspacePlan& item) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const auto& c : item.changes) {
    changes.push_back({{"path", c.path},
                       {"observed", c.observed},
                       {"desired", c.desired},
                       {"requiresReplacement", c.requires_replacement}});
  }
  nlohmann::ordered_json attributes = nlohmann::ordered_json::array();
  for (const auto& a : item.attributes)
    attributes.push_back({{"path", a.path}, {"value", a.value}});
  return {{"namespace", item.key.ns},
          {"name", item.key.name},
          {"providerConfig", item.provider_config},
          {"action", shown_action(item)},
          {"plannedAction", to_string(item.action)},
          {"writesRemote", writes_remote(item.action) && !item.blocked},
          {"blocked", item.blocked},
          {"paused", item.paused},
          {"unobserved", item.unobserved},
          {"note", item.note},
          {"movedFrom", item.moved_from ? nlohmann::ordered_json(item.moved_from->to_string())
                                        : nlohmann::ordered_json(nullptr)},
          {"attributes", attributes},
          {"changes", changes}};
}

}  // namespace

std::string shown_action(const WorkspacePlan& item) {
  if (item.unobserved) return "unknown";
  if (item.paused) return "paused";
  if (item.moved_from && item.action == Action::kNoop) return "move";
  return to_string(item.action);
}

std::string summary_line(const Plan& plan) {
  auto n = [&](const char* shown) { return count_shown(plan, shown); };
  std::string out = std::to_string(n("create") + n("adopt")) + " to create or adopt, " +
                    std::to_string(n("update")) + " to update, " + std::to_string(n("replace")) +
                    " to replace, " + std::to_string(n("delete") + n("orphan")) +
                    " to delete or forget, " + std::to_string(n("noop") + n("skip")) + " unchanged";
  if (size_t moved = n("move")) out += ", " + std::to_string(moved) + " to move";
  if (size_t paused = n("paused")) out += ", " + std::to_string(paused) + " paused";
  if (size_t unknown = n("unknown")) out += ", " + std::to_string(unknown) + " unknown";
  if (size_t pending = n("resolve-pending")) {
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
  for (const auto& item : plan.items) items.push_back(item_json(item));
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  for (const char* shown : kShownActions) summary[shown] = count_shown(plan, shown);
  summary["total"] = plan.items.size();
  return {{"apiVersion", kPlanApiVersion},
          {"kind", "Plan"},
          {"changes", plan.has_changes()},
          {"summary", summary},
          {"items", items}};
}

}  // namespace wsop::plan
