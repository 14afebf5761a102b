#include "controller/reconcile/provider_set.h"

#include "controller/manifest/render.h"

namespace wsop::reconcile {

std::vector<std::pair<std::string, Status>> ProviderSet::update(
    const std::vector<model::ProviderConfig>& configs) {
  std::vector<std::pair<std::string, Status>> errors;
  std::map<std::string, Entry> next;
  std::lock_guard lock(mu_);
  for (const auto& config : configs) {
    std::string fingerprint = manifest::to_manifest_json(config, registry_)["spec"].dump();
    auto it = entries_.find(config.name);
    if (it != entries_.end() && it->second.fingerprint == fingerprint) {
      next[config.name] = std::move(it->second);
      continue;
    }
    Entry entry{fingerprint, nullptr, Status::ok()};
    auto made = registry_.make(config, context_);
    if (made) {
      entry.provider = std::shared_ptr<providers::Provider>(std::move(*made));
    } else {
      entry.error = made.status();
      errors.emplace_back(config.name, made.status());
    }
    next[config.name] = std::move(entry);
  }
  for (auto& [name, entry] : entries_) {
    if (entry.provider && !next.count(name)) entry.provider->stop();
  }
  entries_ = std::move(next);
  return errors;
}

std::shared_ptr<providers::Provider> ProviderSet::get(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.provider;
}

Status ProviderSet::error_of(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return Status::error(Code::kNotFound, "ProviderConfig \"" + name + "\" is not defined");
  }
  return it->second.error;
}

std::vector<std::string> ProviderSet::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

void ProviderSet::mark_unavailable(const std::string& name, Status why) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  it->second.provider = nullptr;  // calls under way keep their own reference
  it->second.error = std::move(why);
}

void ProviderSet::stop_all() {
  std::lock_guard lock(mu_);
  for (auto& [name, entry] : entries_) {
    if (entry.provider) entry.provider->stop();
  }
}

}  // namespace wsop::reconcile
