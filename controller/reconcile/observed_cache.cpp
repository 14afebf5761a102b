#include "controller/reconcile/observed_cache.h"

#include <algorithm>

namespace wsop::reconcile {
namespace {

// Listed no longer than max_age before `now`. (The epoch means never:
// steady_clock counts from boot, which may be recent.)
bool listed_within(ObservedCache::TimePoint listed, ObservedCache::TimePoint now,
                   std::chrono::milliseconds max_age) {
  return listed != ObservedCache::TimePoint{} && now - listed <= max_age;
}

void erase_pair(std::unordered_multimap<std::string, std::string>& index, const std::string& value,
                const std::string& id) {
  auto [first, last] = index.equal_range(value);
  for (auto it = first; it != last; ++it) {
    if (it->second == id) {
      index.erase(it);
      return;
    }
  }
}

}  // namespace

void ObservedCache::index(PerConfig& config, const providers::RemoteWorkspace& remote) {
  if (remote.name) config.ids_by_name.emplace(*remote.name, remote.id);
  if (remote.external_id) config.ids_by_external_id.emplace(*remote.external_id, remote.id);
}

void ObservedCache::unindex(PerConfig& config, const providers::RemoteWorkspace& remote) {
  if (remote.name) erase_pair(config.ids_by_name, *remote.name, remote.id);
  if (remote.external_id) erase_pair(config.ids_by_external_id, *remote.external_id, remote.id);
}

void ObservedCache::put_list(const std::string& provider_config,
                             std::vector<providers::RemoteWorkspace> list, TimePoint started) {
  auto now = started == TimePoint{} ? clock_.now() : started;
  std::map<std::string, Entry> by_id;
  for (auto& remote : list) {
    std::string id = remote.id;
    by_id.emplace(std::move(id), Entry{std::move(remote), now});
  }
  std::lock_guard lock(mu_);
  PerConfig& config = configs_[provider_config];
  // Keep observations newer than this list (a write that raced with it):
  // the list was answered from a state older than them.
  for (auto& [id, entry] : config.by_id) {
    if (entry.at > now) by_id[id] = entry;
  }
  config.by_id = std::move(by_id);
  config.ids_by_name.clear();
  config.ids_by_external_id.clear();
  for (const auto& [id, entry] : config.by_id) index(config, entry.remote);
  config.listed_at = now;
}

void ObservedCache::put(const std::string& provider_config,
                        const providers::RemoteWorkspace& remote) {
  std::lock_guard lock(mu_);
  PerConfig& config = configs_[provider_config];
  auto [it, inserted] = config.by_id.try_emplace(remote.id);
  if (!inserted) unindex(config, it->second.remote);
  it->second = Entry{remote, clock_.now()};
  index(config, remote);
}

void ObservedCache::erase(const std::string& provider_config, const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  if (it == configs_.end()) return;
  auto entry = it->second.by_id.find(id);
  if (entry == it->second.by_id.end()) return;
  unindex(it->second, entry->second.remote);
  it->second.by_id.erase(entry);
}

ObservedCache::Lookup ObservedCache::find(const std::string& provider_config, const std::string& id,
                                          std::chrono::milliseconds max_age) const {
  Lookup out;
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  if (it == configs_.end()) return out;
  out.listed_fresh = listed_within(it->second.listed_at, now, max_age);
  auto entry = it->second.by_id.find(id);
  if (entry != it->second.by_id.end() && now - entry->second.at <= max_age) {
    out.remote = entry->second.remote;
  }
  return out;
}

std::vector<providers::RemoteWorkspace> ObservedCache::find_all(
    const std::string& provider_config, const providers::ExistingIdentity& identity) const {
  std::vector<providers::RemoteWorkspace> out;
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  if (it == configs_.end()) return out;
  const PerConfig& config = it->second;
  if (!identity.name && !identity.external_id) {
    for (const auto& [id, entry] : config.by_id) {
      if (identity.matches(entry.remote)) out.push_back(entry.remote);
    }
    return out;
  }
  const Index& index = identity.external_id ? config.ids_by_external_id : config.ids_by_name;
  auto [first, last] =
      index.equal_range(identity.external_id ? *identity.external_id : *identity.name);
  std::vector<std::string> ids;
  for (auto candidate = first; candidate != last; ++candidate) ids.push_back(candidate->second);
  std::sort(ids.begin(), ids.end());  // by id, as the scan gives them
  for (const auto& id : ids) {
    const Entry& entry = config.by_id.at(id);
    if (identity.matches(entry.remote)) out.push_back(entry.remote);
  }
  return out;
}

ObservedCache::TimePoint ObservedCache::listed_at(const std::string& provider_config) const {
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  return it == configs_.end() ? TimePoint{} : it->second.listed_at;
}

void ObservedCache::note_write(const std::string& provider_config) {
  std::lock_guard lock(mu_);
  configs_[provider_config].last_write_at = clock_.now();
}

ObservedCache::TimePoint ObservedCache::last_write_at(const std::string& provider_config) const {
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  return it == configs_.end() ? TimePoint{} : it->second.last_write_at;
}

std::mutex& ObservedCache::list_mutex(const std::string& provider_config) {
  std::lock_guard lock(mu_);
  return list_mutexes_[provider_config];
}

Status ObservedCache::refresh(const std::string& provider_config, std::chrono::milliseconds max_age,
                              const ListFn& list) {
  // Freshness is judged when the caller asks, not when it gets the mutex: a
  // list that takes longer than max_age (10,000 workspaces on a busy
  // machine) would otherwise be sent again by every caller that waited for
  // it, one after the other.
  const auto asked = clock_.now();
  std::lock_guard in_flight(list_mutex(provider_config));
  // Whoever held the list mutex before us may have just listed.
  if (listed_within(listed_at(provider_config), asked, max_age)) return Status::ok();
  auto started = clock_.now();
  set_list_started(provider_config, started);
  auto listed = list();
  set_list_started(provider_config, TimePoint{});
  if (!listed) return listed.status();
  put_list(provider_config, std::move(*listed), started);
  std::lock_guard lock(mu_);
  configs_[provider_config].list_duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started);
  return Status::ok();
}

void ObservedCache::set_list_started(const std::string& provider_config, TimePoint at) {
  std::lock_guard lock(mu_);
  configs_[provider_config].list_started = at;
}

std::optional<std::chrono::milliseconds> ObservedCache::list_lands_in(
    const std::string& provider_config, std::chrono::milliseconds max_age) const {
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  if (it == configs_.end()) return std::nullopt;
  const PerConfig& config = it->second;
  if (listed_within(config.listed_at, now, max_age)) return std::nullopt;  // refresh() returns
  if (config.list_started == TimePoint{}) return std::nullopt;             // none under way
  auto lands = std::chrono::ceil<std::chrono::milliseconds>(config.list_started +
                                                            config.list_duration - now);
  if (lands.count() > 0) return lands;
  // Overdue, or the first with nothing to judge by: looked at again soon.
  return std::max(kOverdueRecheck, config.list_duration / 2);
}

std::chrono::milliseconds ObservedCache::list_duration(const std::string& provider_config) const {
  std::lock_guard lock(mu_);
  auto it = configs_.find(provider_config);
  return it == configs_.end() ? std::chrono::milliseconds(0) : it->second.list_duration;
}

}  // namespace wsop::reconcile
