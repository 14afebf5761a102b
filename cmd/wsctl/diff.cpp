// wsctl diff: what apply would do, like `kubectl diff` and `terraform plan`.
// Exit 0 no changes, 1 changes, 2 invalid input or error (a provider that
// could not be made or reached included).
#include <unistd.h>

#include <iostream>
#include <map>

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

namespace {

// Like kubectl diff when the server is unreachable, a workspace whose
// provider could not be made or reached has an unknown plan, not "no
// changes": one error per ProviderConfig, naming it. An unobserved item's
// note gets the reason, which the plan shows beside "unknown".
std::vector<std::string> unknown_plans(Engine& engine, plan::Plan& plan,
                                       const std::map<std::string, Status>& failed_lists) {
  std::map<std::string, std::pair<std::string, size_t>> by_config;  // why, workspaces
  for (auto& item : plan.items) {
    // Skip and orphan never reach the provider, whatever its state.
    if (item.action == plan::Action::kSkip || item.action == plan::Action::kOrphan) continue;
    std::string why;
    auto failed = failed_lists.find(item.provider_config);
    if (!engine.providers().get(item.provider_config)) {
      why = engine.providers().error_of(item.provider_config).message();
    } else if (failed != failed_lists.end()) {
      why = failed->second.message();
    } else if (item.unobserved) {
      why = "their remote workspaces could not be observed";
    } else {
      continue;
    }
    if (item.unobserved && item.note.find(why) == std::string::npos) item.note += ": " + why;
    auto& entry = by_config[item.provider_config];
    if (entry.first.empty()) entry.first = why;
    ++entry.second;
  }
  std::vector<std::string> out;
  for (const auto& [config, entry] : by_config) {
    out.push_back("cannot plan " + std::to_string(entry.second) +
                  " workspace(s) of ProviderConfig \"" + config + "\": " + entry.first);
  }
  return out;
}

}  // namespace

int run_diff(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
  options.add_options()("output,o", po::value<std::string>()->default_value(""),
                        "json: the plan for machines (docs/GITOPS.md); markdown: for a pull "
                        "request comment")("prune", po::bool_switch(),
                                           "include workspaces that left the source")(
      "allow-replace", po::bool_switch(), "plan replacements as apply --allow-replace would")(
      "refresh", po::value<bool>()->default_value(true),
      "false: plan against the state store's last observations, without asking the providers");
  po::variables_map values;
  if (auto exit = parse_options(
          "diff", "-f PATH [-f PATH...] [-o json|markdown] [--prune] [--refresh=false]", options,
          args, values, io)) {
    return *exit;
  }
  EngineOptions engine_options;
  if (auto exit = engine_options_from(values, engine_options, io)) return *exit;
  std::string output = values["output"].as<std::string>();
  if (output != "" && output != "json" && output != "markdown") {
    io.err << "wsctl diff: unsupported output format \"" << output << "\" (use json or markdown)\n";
    return kExitInvalid;
  }
  bool prune = values["prune"].as<bool>();
  engine_options.reconcile.plan.prune = prune;
  engine_options.reconcile.plan.allow_replace = values["allow-replace"].as<bool>();
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  bool refresh = values["refresh"].as<bool>();
  std::map<std::string, Status> failed_lists;
  if (refresh) {
    failed_lists = engine->observe_all(io);
    // diff records nothing: an account whose list failed is reported once
    // below, instead of its workspaces each retrying their own reads. (apply
    // does try them, and records each one's condition.)
    for (const auto& [name, status] : failed_lists) {
      engine->providers().mark_unavailable(name, status.with_context("listing its workspaces"));
    }
  } else {
    engine->observe_from_state();
  }
  auto plan = make_plan(*engine, prune);
  if (!plan) {
    io.err << "wsctl diff: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  // Without refresh nothing is observed, so nothing can fail to be.
  std::vector<std::string> errors;
  if (refresh) errors = unknown_plans(*engine, *plan, failed_lists);
  if (output == "json") {
    io.out << plan::to_json(*plan).dump(2) << "\n";
  } else if (output == "markdown") {
    plan::render_markdown(*plan, io.out);
  } else {
    bool tty = &io.out == &std::cout && isatty(STDOUT_FILENO);
    plan::render_text(*plan, {tty, false}, io.out);
  }
  for (const auto& error : errors) io.err << "wsctl diff: " << error << "\n";
  if (!errors.empty()) return kExitInvalid;
  return plan->has_changes() ? kExitChanges : kExitOk;
}

}  // namespace wsop::cli
