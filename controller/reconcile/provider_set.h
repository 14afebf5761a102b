// The providers of the current ProviderConfigs, made through the registry.
// A provider is kept across revisions while its ProviderConfig is unchanged,
// so its connections and its rate limiter's memory of 429s survive.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "providers/registry.h"

namespace wsop::reconcile {

class ProviderSet {
 public:
  ProviderSet(const providers::Registry& registry, providers::ProviderContext context)
      : registry_(registry), context_(std::move(context)) {}
  ~ProviderSet() { stop_all(); }

  // Makes or keeps a provider for each config and drops the others. Returns
  // the configs whose provider could not be made, with why.
  std::vector<std::pair<std::string, Status>> update(
      const std::vector<model::ProviderConfig>& configs);

  // Null when the config is unknown or its provider could not be made.
  std::shared_ptr<providers::Provider> get(const std::string& name) const;
  Status error_of(const std::string& name) const;
  std::vector<std::string> names() const;

  // Takes a config's provider out of use with why (`wsctl diff`, whose list
  // of that account failed after its retries): its workspaces are then
  // planned without a provider call instead of each retrying its own reads.
  void mark_unavailable(const std::string& name, Status why);

  void stop_all();

 private:
  struct Entry {
    std::string fingerprint;
    std::shared_ptr<providers::Provider> provider;
    Status error;
  };
  const providers::Registry& registry_;
  providers::ProviderContext context_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace wsop::reconcile
