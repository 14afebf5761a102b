// A plan for people (like terraform plan) and for machines (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "controller/plan/plan.h"

namespace wsop::plan {

struct RenderOptions {
  bool colour = false;     // ANSI colours (on a TTY)
  bool show_noop = false;  // list unchanged workspaces too
};

void render_text(const Plan& plan, const RenderOptions& options, std::ostream& out);
nlohmann::ordered_json to_json(const Plan& plan);

// "2 to create, 1 to update, 0 to replace, 0 to delete, 7 unchanged"
std::string summary_line(const Plan& plan);

}  // namespace wsop::plan
