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
#include "cmd/wsctl/engine_options.h"
#include "common/duration.h"
#include "controller/plan/render.h"
#include "controller/reconcile/prune_guard.h"
#include "controller/runtime/worker_sizing.h"

namespace wsop::cli {

Outcome<plan::Plan> make_plan(Engine& engine, bool prune);                // diff.cpp
std::map<std::string, size_t> unknown_by_config(const plan::Plan& plan);  // diff.cpp

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
std::optional<std::string> apply_prune_refusal(Engine& engine, const ApplyFlags& flags,
                                               const std::string& instance) {
  if (!flags.prune) return std::nullopt;
  auto count = reconcile::count_prune(engine.store(), engine.desired(), instance);
  if (!count) return "cannot count what pruning would delete: " + count.status().message();
  auto refusal = reconcile::prune_refusal(*count, {flags.max_prune_percent, /*force=*/flags.force});
  if (!refusal) return std::nullopt;
  return *refusal + " (use --force if you mean it)";
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

// The plan's items taking turns between ProviderConfigs. In the plan's
// order (by key) every worker would wait on the first ProviderConfig's
// bucket while the others sat idle: the providers would be served one after
// another instead of at once.
std::vector<const plan::WorkspacePlan*> interleaved_by_provider_config(const plan::Plan& plan) {
  std::map<std::string, std::vector<const plan::WorkspacePlan*>> by_config;
  for (const auto& item : plan.items) by_config[item.provider_config].push_back(&item);
  std::vector<const plan::WorkspacePlan*> out;
  out.reserve(plan.items.size());
  for (size_t turn = 0; out.size() < plan.items.size(); ++turn) {
    for (const auto& [config, items] : by_config) {
      if (turn < items.size()) out.push_back(items[turn]);
    }
  }
  return out;
}

// Runs every planned key through the reconciler until the queue is idle or
// the run stops (stop.deadline(), a signal); returns the exit code.
int execute(Engine& engine, const plan::Plan& plan, const ApplyFlags& flags, ApplyStop& stop,
            size_t skipped, Io io) {
  const int workers = flags.workers > 0
                          ? flags.workers
                          : runtime::workers_for(engine.desired().set(), plan.items.size());
  bool tty = &io.out == &std::cout && isatty(STDOUT_FILENO);
  ApplyProgress progress(io.out, tty, plan.items.size(), flags.progress_every);
  engine.set_events(&progress);
  runtime::WorkQueue queue({std::chrono::milliseconds(500), std::chrono::seconds(10), 0.1});
  runtime::Runner runner(engine.reconciler(), queue,
                         {workers, /*max_failures=*/3, /*follow_provisioning=*/flags.wait},
                         &progress);
  // The plan is a sweep: with --wait, a provisioning workspace's next poll
  // goes ahead of the creates still waiting for the provider's rate.
  for (const auto* item : interleaved_by_provider_config(plan)) {
    queue.add(item->key.to_string(), runtime::Priority::kLow);
  }
  // At a signal: no reconcile starts, and the providers' waits end.
  stop.on_interrupt([&queue, &engine] {
    queue.shut_down();
    engine.providers().stop_all();
  });
  runner.start();
  progress.start();
  bool idle = queue.wait_idle(stop.deadline());
  // Past the deadline the clients start nothing (the cutoff): the
  // reconciles under way end within the grace, recording what they met.
  runner.stop();
  stop.on_interrupt(nullptr);
  progress.finish();
  if (!idle && !stop.signal()) {
    io.err << "wsctl apply: timed out after " << format_duration(flags.timeout)
           << ": nothing new was started after the deadline; what was under way is recorded\n";
  }
  // Whatever did not end Synced (or Ready, with --wait) has failed.
  for (const auto& item : plan.items) {
    auto record = engine.store().get(item.key);
    if (!record || !*record) continue;
    const auto& c = (*record)->conditions;
    if (c.synced.status == model::ConditionStatus::kFalse) {
      progress.mark_failed(item.key.to_string(), c.synced.reason + ": " + c.synced.message);
    } else if (flags.wait && c.ready.status != model::ConditionStatus::kTrue) {
      progress.mark_failed(item.key.to_string(),
                           "not Ready: " + c.ready.reason + " " + c.ready.message);
    }
  }
  io.out << "Apply: " << progress.summary(plan.items.size());
  // The workspaces of ProviderConfigs that cannot be used (reported above).
  if (skipped > 0) io.out << ", skipped " << skipped;
  io.out << ".\n";
  return progress.failed().empty() && idle ? kExitOk : kExitFailed;
}

int apply_bounded(const po::variables_map& values, EngineOptions& engine_options,
                  const ApplyFlags& flags, ApplyStop& stop, Io io);

}  // namespace

int run_apply(const Args& args, Io io) {
  po::options_description options("Options");
  add_engine_options(options);
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
  EngineOptions engine_options;
  ApplyFlags flags;
  if (auto exit = engine_options_from(values, engine_options, io)) return *exit;
  if (auto exit = read_flags(values, flags, io)) return *exit;
  // From here the whole run is bounded by --timeout and stops at a signal.
  ApplyStop stop(flags.timeout, io.err);
  engine_options.cutoff = stop.cutoff();
  int exit = apply_bounded(values, engine_options, flags, stop, io);
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

int apply_bounded(const po::variables_map& values, EngineOptions& engine_options,
                  const ApplyFlags& flags, ApplyStop& stop, Io io) {
  if (flags.prune && !engine_options.selector.empty()) {
    io.err
        << "wsctl apply: --prune with -l is not supported: the state store does not keep labels\n";
    return kExitInvalid;
  }
  engine_options.reconcile.plan.prune = flags.prune;
  engine_options.reconcile.plan.allow_replace = values["allow-replace"].as<bool>();
  int exit_code = kExitOk;
  auto engine = Engine::open(engine_options, io, exit_code);
  if (!engine) return exit_code;
  stop.on_interrupt([&engine] { engine->providers().stop_all(); });
  auto failed_lists = engine->observe_all();
  stop.on_interrupt(nullptr);
  if (stop.signal()) return kExitFailed;
  // A list that failed for want of reach is retried by each workspace,
  // which records what it met; a ProviderConfig that cannot be used at all
  // is reported once and its workspaces are left alone.
  for (const auto& [name, status] : failed_lists) {
    if (!is_configuration_failure(status)) {
      io.err << "wsctl apply: observing " << name << ": " << status.message() << "\n";
    }
  }
  auto unusable = engine->set_aside_unusable(failed_lists, /*only_configuration=*/true);
  auto plan = make_plan(*engine, flags.prune);
  if (!plan) {
    io.err << "wsctl apply: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  print_unusable(io, "apply", engine->desired().set(), unusable, unknown_by_config(*plan),
                 "skipped, nothing recorded for them");
  std::set<std::string> unusable_names;
  for (const auto& config : unusable) unusable_names.insert(config.name);
  size_t skipped = std::erase_if(plan->items, [&](const plan::WorkspacePlan& item) {
    return item.unobserved && unusable_names.count(item.provider_config) > 0;
  });
  if (auto refusal = apply_prune_refusal(*engine, flags, engine_options.instance_id)) {
    io.err << "wsctl apply: " << *refusal << "; nothing was applied\n";
    return kExitInvalid;
  }
  if (flags.dry_run) {
    plan::render_text(*plan, {false, false}, io.out);
    return unusable.empty() ? kExitOk : kExitFailed;
  }
  int exit = execute(*engine, *plan, flags, stop, skipped, io);
  return unusable.empty() ? exit : kExitFailed;
}

}  // namespace

}  // namespace wsop::cli
