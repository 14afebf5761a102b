// wsctl apply: carry out the plan, like `kubectl apply` / `terraform apply`.
// Exit 0 all done, 2 invalid input or refused, 3 some workspaces failed.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <vector>

#include "cmd/wsctl/apply_progress.h"
#include "cmd/wsctl/apply_stop.h"
#include "cmd/wsctl/session_options.h"
#include "cmd/wsctl/session_print.h"
#include "common/duration.h"
#include "controller/plan/render.h"
#include "controller/runtime/worker_sizing.h"

namespace wsop::cli {
namespace {

using runtime::kMaxWorkers;

struct ApplyFlags {
  bool prune = false, force = false, dry_run = false, wait = false;
  int max_prune_percent = 50;
  int workers = 0;  // 0: runtime::workers_for()
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds progress_every{std::chrono::seconds(10)};
};

// The controller's prune guard (controller/reconcile/prune_guard.h); here a
// refusal stops the whole run.
std::optional<std::string> apply_prune_refusal(runtime::Session& session, const ApplyFlags& flags) {
  if (!flags.prune) return std::nullopt;
  auto refusal = session.prune_refusal({flags.max_prune_percent, /*force=*/flags.force});
  if (!refusal) return "cannot count what pruning would delete: " + refusal.status().message();
  if (!*refusal) return std::nullopt;
  return **refusal + " (use --force if you mean it)";
}

std::optional<int> read_flags(const po::variables_map& values, ApplyFlags& flags, Io io) {
  flags.prune = values["prune"].as<bool>();
  flags.force = values["force"].as<bool>();
  flags.dry_run = values["dry-run"].as<bool>();
  flags.wait = values["wait"].as<bool>();
  flags.max_prune_percent = values["max-prune"].as<int>();
  flags.workers = values["workers"].as<int>();
  auto timeout = parse_duration(values["timeout"].as<std::string>());
  if (!timeout || timeout->count() <= 0) {
    io.err << "wsctl apply: --timeout: expected a duration such as 5m\n";
    return kExitInvalid;
  }
  flags.timeout = *timeout;
  std::string every = values["progress-every"].as<std::string>();
  auto progress_every = every == "0"
                            ? Outcome<std::chrono::milliseconds>(std::chrono::milliseconds(0))
                            : parse_duration(every);
  if (!progress_every || progress_every->count() < 0) {
    io.err << "wsctl apply: --progress-every: expected a duration such as 10s (0: none)\n";
    return kExitInvalid;
  }
  flags.progress_every = *progress_every;
  if (flags.workers < 0 || flags.workers > kMaxWorkers) {
    io.err << "wsctl apply: --workers must be between 1 and " << kMaxWorkers
           << " (0: enough for every ProviderConfig's rate)\n";
    return kExitInvalid;
  }
  if (flags.max_prune_percent < 0 || flags.max_prune_percent > 100) {
    io.err << "wsctl apply: --max-prune must be a percentage from 0 to 100\n";
    return kExitInvalid;
  }
  return std::nullopt;
}

// Runs every planned key through the session's runner until the queue is
// idle or the run stops (stop.deadline(), a signal); returns the exit code.
int execute(runtime::Session& session, const plan::Plan& plan, const ApplyFlags& flags,
            ApplyStop& stop, size_t skipped, Io io) {
  bool tty = &io.out == &std::cout && isatty(STDOUT_FILENO);
  ApplyProgress progress(io.out, tty, plan.items.size(), flags.progress_every);
  runtime::RunOptions run;
  run.workers = flags.workers;
  run.follow_provisioning = flags.wait;
  run.deadline = stop.deadline();
  run.events = &progress;
  run.observer = &progress;
  // At a signal: no reconcile starts, and the providers' waits end.
  stop.on_interrupt([&session] { session.interrupt(); });
  progress.start();
  auto result = session.run(plan, run);
  stop.on_interrupt(nullptr);
  progress.finish();
  if (!result.idle && !stop.signal()) {
    io.err << "wsctl apply: timed out after " << format_duration(flags.timeout)
           << ": nothing new was started after the deadline; what was under way is recorded\n";
  }
  for (const auto& failure : result.failures) {
    progress.mark_failed(failure.key.to_string(), failure.why);
  }
  io.out << "Apply: " << progress.summary(plan.items.size());
  // The workspaces of ProviderConfigs that cannot be used (reported above).
  if (skipped > 0) io.out << ", skipped " << skipped;
  io.out << ".\n";
  return progress.failed().empty() && result.idle ? kExitOk : kExitFailed;
}

int apply_bounded(const po::variables_map& values, runtime::SessionOptions& session_options,
                  const ApplyFlags& flags, ApplyStop& stop, Io io);

}  // namespace

int run_apply(const Args& args, Io io) {
  po::options_description options("Options");
  add_session_options(options);
  options.add_options()("prune", po::bool_switch(),
                        "delete (or forget, per deletionPolicy) workspaces that left the source")(
      "max-prune", po::value<int>()->default_value(50),
      "refuse to prune more than this % of managed workspaces")(
      "force", po::bool_switch(), "prune even past --max-prune or from an empty source")(
      "dry-run", po::bool_switch(), "print the plan, change nothing")(
      "allow-replace", po::bool_switch(),
      "delete and re-create workspaces whose immutable fields changed")(
      "wait", po::bool_switch(), "wait until provisioning workspaces are Ready")(
      "timeout", po::value<std::string>()->default_value("5m"), "give up after this long")(
      "progress-every", po::value<std::string>()->default_value("10s"),
      "off a terminal, print the counts by phase this often (0: never); a terminal gets a bar")(
      "workers", po::value<int>()->default_value(0),
      "concurrent reconciles; 0: enough to keep every ProviderConfig's rateLimit busy at "
      "200 ms a request");
  po::variables_map values;
  if (auto exit = parse_options("apply", "-f PATH [-f PATH...] [--prune] [--wait] ...", options,
                                args, values, io)) {
    return *exit;
  }
  runtime::SessionOptions session_options;
  ApplyFlags flags;
  if (auto exit = session_options_from(values, session_options, io)) return *exit;
  if (auto exit = read_flags(values, flags, io)) return *exit;
  // From here the whole run is bounded by --timeout and stops at a signal.
  ApplyStop stop(flags.timeout, io.err);
  session_options.cutoff = stop.cutoff();
  int exit = apply_bounded(values, session_options, flags, stop, io);
  if (auto signal = stop.signal()) {
    io.err << "wsctl apply: interrupted: requests in flight were given "
           << format_duration(ApplyStop::kGrace)
           << " and their outcomes are recorded; a create whose answer was lost is resolved by "
              "lookup on the next apply\n";
    return ApplyStop::exit_code(*signal);
  }
  return exit;
}

namespace {

int apply_bounded(const po::variables_map& values, runtime::SessionOptions& session_options,
                  const ApplyFlags& flags, ApplyStop& stop, Io io) {
  if (flags.prune && !values["selector"].as<std::string>().empty()) {
    io.err
        << "wsctl apply: --prune with -l is not supported: the state store does not keep labels\n";
    return kExitInvalid;
  }
  session_options.reconcile.plan.prune = flags.prune;
  session_options.reconcile.plan.allow_replace = values["allow-replace"].as<bool>();
  int exit_code = kExitOk;
  auto session = open_session(session_options, io, exit_code);
  if (!session) return exit_code;
  stop.on_interrupt([&session] { session->interrupt(); });
  auto failed_lists = session->observe_all();
  stop.on_interrupt(nullptr);
  if (stop.signal()) return kExitFailed;
  // A list that failed for want of reach is retried by each workspace,
  // which records what it met; a ProviderConfig that cannot be used at all
  // is reported once and its workspaces are left alone.
  for (const auto& [name, status] : failed_lists) {
    if (!runtime::is_configuration_failure(status)) {
      io.err << "wsctl apply: observing " << name << ": " << status.message() << "\n";
    }
  }
  auto unusable = session->set_aside_unusable(failed_lists, /*only_configuration=*/true);
  auto plan = session->plan(flags.prune);
  if (!plan) {
    io.err << "wsctl apply: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  print_unusable(io, "apply", session->desired().set(), unusable, runtime::unknown_by_config(*plan),
                 "skipped, nothing recorded for them");
  size_t skipped = runtime::drop_unusable(*plan, unusable);
  if (auto refusal = apply_prune_refusal(*session, flags)) {
    io.err << "wsctl apply: " << *refusal << "; nothing was applied\n";
    return kExitInvalid;
  }
  if (flags.dry_run) {
    plan::render_text(*plan, {false, false}, io.out);
    return unusable.empty() ? kExitOk : kExitFailed;
  }
  int exit = execute(*session, *plan, flags, stop, skipped, io);
  return unusable.empty() ? exit : kExitFailed;
}

}  // namespace

}  // namespace wsop::cli
