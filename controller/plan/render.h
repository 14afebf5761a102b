// A plan for people (like terraform plan), for pull request comments
// (Markdown, like tfcmt or Atlantis) and for machines (versioned JSON,
// documented in docs/GITOPS.md). Renderers only: planning is in plan.h.
// Nothing secret is in a plan (workspace fields, names and notes; never a
// ProviderConfig's credentials), so nothing here needs redacting.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "controller/plan/plan.h"

namespace wsop::plan {

struct RenderOptions {
  bool colour = false;     // ANSI colours (on a TTY)
  bool show_noop = false;  // list unchanged workspaces too
};

// What a plan item is shown as: the planner's action, except that a
// workspace that could not be observed is "unknown" (not unchanged, not a
// create) and a paused one is "paused" (not unchanged).
std::string shown_action(const WorkspacePlan& item);

void render_text(const Plan& plan, const RenderOptions& options, std::ostream& out);

// A pull request comment: a summary line, a table of changes per
// ProviderConfig with each change's fields (old -> new), long sections
// folded in <details>, at most max_bytes long (GitHub refuses comments over
// 65536 characters): the items past it are counted, not listed.
inline constexpr size_t kMarkdownMaxBytes = 60000;
void render_markdown(const Plan& plan, std::ostream& out, size_t max_bytes = kMarkdownMaxBytes);

// {"apiVersion": kPlanApiVersion, "kind": "Plan", ...}: docs/GITOPS.md.
inline constexpr const char* kPlanApiVersion = "wsctl.workspace-operator.io/v1";
nlohmann::ordered_json to_json(const Plan& plan);

// "1 to create or adopt, 1 to update, 0 to replace, 0 to delete or forget,
// 7 unchanged, 1 paused, 1 unknown"
std::string summary_line(const Plan& plan);

}  // namespace wsop::plan
