// wsctl diff: what apply would do, like `kubectl diff` and `terraform plan`.
// Exit 0 no changes, 1 changes, 2 invalid input or error (a provider that
// could not be made or reached included).
#include <unistd.h>

#include <iostream>
#include <map>

#include "cmd/wsctl/session_options.h"
#include "cmd/wsctl/session_print.h"
#include "controller/plan/render.h"

namespace wsop::cli {

namespace {

// Like kubectl diff when the server is unreachable, a workspace whose
// ProviderConfig cannot be used, or whose remote could not be observed, has
// an unknown plan, not "no changes" and never "create": one error per
// ProviderConfig, naming it. Returns whether there was any.
bool report_unknown(const plan::Plan& plan, const manifest::ManifestSet& set,
                    const std::vector<runtime::UnusableConfig>& unusable, Io io) {
  auto unknown = runtime::unknown_by_config(plan);
  print_unusable(io, "diff", set, unusable, unknown, "are unknown");
  for (const auto& config : unusable) unknown.erase(config.name);
  for (const auto& [config, n] : unknown) {
    io.err << "wsctl diff: cannot plan " << n << " workspace(s) of ProviderConfig \"" << config
           << "\": their remote workspaces could not be observed\n";
  }
  return !unusable.empty() || !unknown.empty();
}

}  // namespace

int run_diff(const Args& args, Io io) {
  po::options_description options("Options");
  add_session_options(options);
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
  runtime::SessionOptions session_options;
  if (auto exit = session_options_from(values, session_options, io)) return *exit;
  std::string output = values["output"].as<std::string>();
  if (output != "" && output != "json" && output != "markdown") {
    io.err << "wsctl diff: unsupported output format \"" << output << "\" (use json or markdown)\n";
    return kExitInvalid;
  }
  bool prune = values["prune"].as<bool>();
  session_options.reconcile.plan.prune = prune;
  session_options.reconcile.plan.allow_replace = values["allow-replace"].as<bool>();
  session_options.state.read_only = true;  // diff records nothing
  int exit_code = kExitOk;
  auto session = open_session(session_options, io, exit_code);
  if (!session) return exit_code;
  bool refresh = values["refresh"].as<bool>();
  std::vector<runtime::UnusableConfig> unusable;
  if (refresh) {
    // diff records nothing: an account whose list failed is reported once
    // below, instead of its workspaces each retrying their own reads.
    unusable = session->set_aside_unusable(session->observe_all(), /*only_configuration=*/false);
  } else {
    session->observe_from_state();
    unusable = session->set_aside_unusable({}, /*only_configuration=*/false);
  }
  auto plan = session->plan(prune);
  if (!plan) {
    io.err << "wsctl diff: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  if (output == "json") {
    io.out << plan::to_json(*plan).dump(2) << "\n";
  } else if (output == "markdown") {
    plan::render_markdown(*plan, io.out);
  } else {
    bool tty = &io.out == &std::cout && isatty(STDOUT_FILENO);
    plan::render_text(*plan, {tty, false}, io.out);
  }
  if (report_unknown(*plan, session->desired().set(), unusable, io)) return kExitInvalid;
  return plan->has_changes() ? kExitChanges : kExitOk;
}

}  // namespace wsop::cli
