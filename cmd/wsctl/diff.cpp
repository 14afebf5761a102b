// wsctl diff: what apply would do, like `kubectl diff` and `terraform plan`.
// Exit 0 no changes, 1 changes, 2 invalid input or error.
#include <unistd.h>

#include <iostream>

#include "cmd/wsctl/engine_options.h"
#include "controller/plan/render.h"

namespace wsop::cli {

// The plan of every selected workspace (and, with prune, of every record).
Outcome<plan::Plan> make_plan(Engine& engine, bool prune) {
  plan::Plan plan;
  for (const auto& key : engine.keys(prune)) {
    auto item = engine.reconciler().plan(key);
    if (!item) return item.status();
    if (!prune && !engine.desired().find(key)) continue;
    plan.items.push_back(std::move(*item));
  }
  return plan;
}

int run_diff(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
  options.add_options()("output,o", po::value<std::string>()->default_value(""),
                        "json: the plan for machines")("prune", po::bool_switch(),
                                                       "include workspaces that left the source")(
      "allow-replace", po::bool_switch(), "plan replacements as apply --allow-replace would")(
      "refresh", po::value<bool>()->default_value(true),
      "false: plan against the state store's last observations, without asking the providers");
  po::variables_map values;
  if (auto exit =
          parse_options("diff", "-f PATH [-f PATH...] [-o json] [--prune] [--refresh=false]",
                        options, args, values, io)) {
    return *exit;
  }
  EngineOptions engine_options;
  if (auto exit = engine_options_from(values, engine_options, io)) return *exit;
  std::string output = values["output"].as<std::string>();
  if (output != "" && output != "json") {
    io.err << "wsctl diff: unsupported output format \"" << output << "\"\n";
    return kExitInvalid;
  }
  bool prune = values["prune"].as<bool>();
  engine_options.reconcile.plan.prune = prune;
  engine_options.reconcile.plan.allow_replace = values["allow-replace"].as<bool>();
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  if (values["refresh"].as<bool>()) {
    engine->observe_all(io);
  } else {
    engine->observe_from_state();
  }
  auto plan = make_plan(*engine, prune);
  if (!plan) {
    io.err << "wsctl diff: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  if (output == "json") {
    io.out << plan::to_json(*plan).dump(2) << "\n";
  } else {
    bool tty = &io.out == &std::cout && isatty(STDOUT_FILENO);
    plan::render_text(*plan, {tty, false}, io.out);
  }
  return plan->has_changes() ? kExitChanges : kExitOk;
}

}  // namespace wsop::cli
