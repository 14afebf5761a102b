#include "controller/runtime/controller_parts.h"

#include "controller/runtime/worker_sizing.h"

#include "controller/runtime/runner.h"

#include <future>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

namespace wsop::runtime {

std::string provider_config_lane(const reconcile::DesiredState* desired, const std::string& key) {
  if (!desired) return "";
  auto parsed = queued_key(key);
  const model::Workspace* workspace = parsed ? desired->find(*parsed) : nullptr;
  return workspace ? workspace->provider_config : "";
}

std::map<std::string, Status> list_accounts(reconcile::ProviderSet& providers,
                                            const std::vector<std::string>& names,
                                            const Clock& clock, const ListScope& scope,
                                            const OnListed& on_listed,
                                            const std::function<bool()>& stopping) {
  auto list_one = [&](const std::string& name,
                      const std::shared_ptr<providers::Provider>& provider) -> Status {
    // Entries written while the list is under way are newer than it.
    auto started = clock.now();
    auto listed = provider->list(scope(name));
    if (!listed) return listed.status();
    on_listed(name, std::move(*listed), started);
    return Status::ok();
  };
  std::vector<std::pair<std::string, std::future<Status>>> lists;
  std::map<std::string, Status> failures;
  for (const auto& name : names) {
    if (stopping && stopping()) break;
    auto provider = providers.get(name);
    if (!provider) continue;
    try {
      lists.emplace_back(name, std::async(std::launch::async, list_one, name, provider));
    } catch (const std::system_error&) {
      // No thread to be had: list it here.
      if (Status s = list_one(name, provider); !s.is_ok()) failures.emplace(name, std::move(s));
    }
  }
  for (auto& [name, list] : lists) {
    if (Status s = list.get(); !s.is_ok()) failures.emplace(name, std::move(s));
  }
  return failures;
}

void observe_accounts(reconcile::ProviderSet& providers, reconcile::ObservedCache& cache,
                      const reconcile::DesiredState& snapshot,
                      const std::function<bool()>& stopping) {
  auto failures = list_accounts(
      providers, providers.names(), cache.clock(),
      [&snapshot](const std::string& name) { return snapshot.workspaces_of(name); },
      [&cache](const std::string& name, std::vector<providers::RemoteWorkspace> listed,
               reconcile::ObservedCache::TimePoint started) {
        cache.put_list(name, std::move(listed), started);
      },
      stopping);
  for (const auto& [name, status] : failures) {
    observability::log_warn("list failed", {{"providerConfig", name}, {"error", status.message()}});
  }
}

std::unique_ptr<http::Server> make_endpoint_server(const EndpointServerOptions& options,
                                                   observability::EndpointContext endpoints) {
  http::ServerOptions server_options;
  server_options.address = options.address;
  server_options.port = options.port;
  server_options.max_connections = options.max_connections;
  server_options.header_timeout = std::chrono::seconds(5);
  server_options.idle_timeout = std::chrono::seconds(30);
  server_options.body_timeout = std::chrono::seconds(10);  // GET and HEAD only: no body expected
  server_options.on_warning = [](const std::string& message) { observability::log_warn(message); };
  return std::make_unique<http::Server>(server_options,
                                        [endpoints = std::move(endpoints)](const http::Request& r) {
                                          return observability::serve(endpoints, r);
                                        });
}

bool drain_until(std::chrono::steady_clock::time_point deadline, std::function<void()> join,
                 const std::function<void()>& interrupt, std::thread& stopper) {
  std::promise<void> joined;
  auto finished = joined.get_future();
  stopper = std::thread([join = std::move(join), joined = std::move(joined)]() mutable {
    join();
    joined.set_value();
  });
  if (finished.wait_until(deadline) == std::future_status::timeout) {
    observability::log_warn("shutdown grace period over; interrupting provider calls");
    interrupt();
    // Interrupted calls return at once; a margin for them to unwind.
    if (finished.wait_for(std::chrono::seconds(1)) == std::future_status::timeout) {
      observability::log_warn("calls still blocked after the grace period; not waiting for them");
      stopper.detach();
      return false;
    }
  }
  stopper.join();
  return true;
}

std::optional<std::string> first_stuck_loop(const std::vector<LoopTurn>& loops,
                                            std::chrono::milliseconds limit) {
  if (limit.count() <= 0) return std::nullopt;
  auto seconds = [](auto d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
  };
  for (const LoopTurn& turn : loops) {
    if (turn.age <= limit) continue;
    return std::string(turn.loop) + " has been in one turn for " + seconds(turn.age) +
           "s (--stall-timeout " + seconds(limit) + "s)";
  }
  return std::nullopt;
}

ResyncTimer::ResyncTimer(std::chrono::milliseconds period, std::function<void(bool)> resync)
    : period_(period), resync_(std::move(resync)) {}

ResyncTimer::~ResyncTimer() {
  stop();
}

void ResyncTimer::start() {
  thread_ = std::thread([this] { run(); });
}

void ResyncTimer::request() {
  std::lock_guard lock(mu_);
  requested_ = true;
  cv_.notify_all();
}

void ResyncTimer::signal_stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void ResyncTimer::join() {
  if (thread_.joinable()) thread_.join();
}

void ResyncTimer::run() {
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.9, 1.1);  // +-10%
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto period = std::chrono::milliseconds(static_cast<int64_t>(period_.count() * jitter(random)));
    cv_.wait_for(lock, period, [this] { return stopping_ || requested_; });
    if (stopping_) break;
    bool requested = std::exchange(requested_, false);
    lock.unlock();
    beat_.begin_turn();
    resync_(requested);
    beat_.end_turn();
    lock.lock();
  }
}

void size_workers(int requested, const manifest::ManifestSet& set, Runner& runner,
                  observability::Metrics& metrics) {
  if (requested > 0) return;
  int needed = workers_for(set);
  if (needed <= runner.workers()) return;
  runner.grow_to(needed);
  metrics.set_max_concurrent_reconciles(needed);
  observability::log_info("workers",
                          {{"workers", std::to_string(needed)},
                           {"providerConfigs", std::to_string(set.provider_configs.size())}});
}

}  // namespace wsop::runtime
