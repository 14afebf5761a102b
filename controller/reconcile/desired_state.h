// One loaded and validated source revision, indexed for the reconciler.
// Immutable once built: the controller swaps the whole snapshot when a new
// revision arrives, and in-flight reconciles keep the one they started with.
#pragma once

#include <map>
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

  // Whether this revision may prune (the controller's guards: not from an
  // empty source, not more than --max-prune at once). Set before sharing.
  bool prune_allowed() const { return prune_allowed_; }
  void set_prune_allowed(bool allowed) { prune_allowed_ = allowed; }

 private:
  manifest::ManifestSet set_;
  std::string revision_;
  std::map<model::WorkspaceKey, size_t> index_;
  std::map<std::pair<std::string, std::string>, size_t> claims_;  // (config, external-name)
  bool prune_allowed_ = true;
};

}  // namespace wsop::reconcile
