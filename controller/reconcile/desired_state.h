// One loaded and validated source revision, indexed for the reconciler.
// Immutable once built: the controller swaps the whole snapshot when a new
// revision arrives, and in-flight reconciles keep the one they started with.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/manifest/manifest_set.h"

namespace wsop::reconcile {

class DesiredState {
 public:
  DesiredState(manifest::ManifestSet set, std::string revision);

  const model::Workspace* find(const model::WorkspaceKey& key) const;
  const manifest::ManifestSet& set() const { return set_; }
  const std::string& revision() const { return revision_; }
  // The workspaces that use one ProviderConfig.
  std::vector<const model::Workspace*> workspaces_of(const std::string& provider_config) const;
  // The manifest whose external-name annotation names `remote_id` of
  // `provider_config`, if any (the new name of a renamed workspace).
  const model::Workspace* claimant(const std::string& provider_config,
                                   const std::string& remote_id) const;

  // Whether this revision may prune `key`'s workspace (the file modes'
  // guards: not from an empty source, not more than --max-prune at once;
  // the kubernetes mode's rule: only a Workspace being deleted, never one
  // that is merely invalid or unreadable). Set before sharing.
  bool prune_allowed(const model::WorkspaceKey& key) const {
    return prune_allowed_ && (!prunable_ || prunable_->count(key) > 0);
  }
  void set_prune_allowed(bool allowed) { prune_allowed_ = allowed; }
  // Only these keys may be pruned (unset: any key that left the source).
  void set_prunable(std::set<model::WorkspaceKey> keys) { prunable_ = std::move(keys); }

 private:
  manifest::ManifestSet set_;
  std::string revision_;
  std::map<model::WorkspaceKey, size_t> index_;
  std::map<std::pair<std::string, std::string>, size_t> claims_;  // (config, external-name)
  bool prune_allowed_ = true;
  std::optional<std::set<model::WorkspaceKey>> prunable_;
};

}  // namespace wsop::reconcile
