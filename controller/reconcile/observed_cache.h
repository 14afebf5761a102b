// What the providers last reported, so that a run (or a resync) observes
// each ProviderConfig with one paginated list instead of a GET per workspace
// (ARCHITECTURE.md section 5, drift). Entries carry their age; callers say
// how old an observation may be. Ages and list durations are read on the
// Clock it is given (common/clock.h).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "providers/provider.h"

namespace wsop::reconcile {

class ObservedCache {
 public:
  using TimePoint = Clock::SteadyTime;

  explicit ObservedCache(const Clock& clock = real_clock()) : clock_(clock) {}
  // The clock its ages are read on: a caller that records when it started
  // a list (put_list's `started`) reads this one.
  const Clock& clock() const { return clock_; }

  // Replaces everything known about one ProviderConfig with a full list,
  // requested at `started` (default: now): observations recorded after that
  // (a write that raced with the list) are newer than it and kept.
  void put_list(const std::string& provider_config, std::vector<providers::RemoteWorkspace> list,
                TimePoint started = {});
  // Records one observation (after a GET or a write).
  void put(const std::string& provider_config, const providers::RemoteWorkspace& remote);
  void erase(const std::string& provider_config, const std::string& id);

  struct Lookup {
    std::optional<providers::RemoteWorkspace> remote;
    bool listed_fresh = false;  // a list no older than max_age exists for the config
  };
  Lookup find(const std::string& provider_config, const std::string& id,
              std::chrono::milliseconds max_age) const;

  // Every entry of the config that the identity's `matches` accepts,
  // however old, by id: what a first create looks for. Only the entries of
  // the identity's name or externalId are read when it gives one.
  std::vector<providers::RemoteWorkspace> find_all(
      const std::string& provider_config, const providers::ExistingIdentity& identity) const;

  // When the config was last listed (epoch when never).
  TimePoint listed_at(const std::string& provider_config) const;

  // Records that a write (create, update, delete) was answered, and when
  // the last one was (epoch when never): a config with no recent write has
  // sent its creates, so its budget can pay for quicker polls.
  void note_write(const std::string& provider_config);
  TimePoint last_write_at(const std::string& provider_config) const;

  // Lists the config with `list` unless a list no older than max_age exists.
  // Single flight: callers that arrive while a list is under way wait for
  // it and use its result instead of sending their own, so a thousand
  // provisioning workspaces polled together cost one list, not a thousand
  // GETs. A failed list leaves the cache as it was.
  using ListFn = std::function<Outcome<std::vector<providers::RemoteWorkspace>>()>;
  Status refresh(const std::string& provider_config, std::chrono::milliseconds max_age,
                 const ListFn& list);
  // How long the last list refresh() sent took, from the rate limiter's
  // queue to the parsed answer (0 before one).
  std::chrono::milliseconds list_duration(const std::string& provider_config) const;

  // When a refresh() with `max_age` would wait for a list that another
  // caller is sending: how long until that list should land, judged by the
  // last one's length; for one that is overdue, or the first (nothing to
  // judge by), half the last one's length, at least kOverdueRecheck.
  // nullopt when the cache is fresh enough already or no list is under way.
  // A caller with other work comes back then instead of holding its thread
  // in the wait: hundreds of provisioning workspaces fall due together, and
  // waiting for a list that overran held a provider's share of the workers
  // while its create budget went unspent (docs/PERFORMANCE.md,
  // "2026-12-07 (late)").
  std::optional<std::chrono::milliseconds> list_lands_in(const std::string& provider_config,
                                                         std::chrono::milliseconds max_age) const;
  static constexpr std::chrono::milliseconds kOverdueRecheck{25};

 private:
  struct Entry {
    providers::RemoteWorkspace remote;
    TimePoint at;
  };
  using Index = std::unordered_multimap<std::string, std::string>;  // value -> id
  struct PerConfig {
    std::map<std::string, Entry> by_id;
    Index ids_by_name, ids_by_external_id;  // of the entries in by_id
    TimePoint listed_at{};
    TimePoint last_write_at{};
    std::chrono::milliseconds list_duration{0};
    TimePoint list_started{};  // the list under way; epoch: none
  };
  static void index(PerConfig& config, const providers::RemoteWorkspace& remote);
  static void unindex(PerConfig& config, const providers::RemoteWorkspace& remote);
  std::mutex& list_mutex(const std::string& provider_config);
  void set_list_started(const std::string& provider_config, TimePoint at);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, PerConfig> configs_;
  // One per config, never erased (node-based: references stay valid).
  std::map<std::string, std::mutex> list_mutexes_;  // the map guarded by mu_
};

}  // namespace wsop::reconcile
