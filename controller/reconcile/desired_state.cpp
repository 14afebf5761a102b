#include "controller/reconcile/desired_state.h"

namespace wsop::reconcile {

DesiredState::DesiredState(manifest::ManifestSet set, std::string revision)
    : set_(std::move(set)), revision_(std::move(revision)) {
  for (size_t i = 0; i < set_.workspaces.size(); ++i) {
    const model::Workspace& ws = set_.workspaces[i];
    index_[ws.key()] = i;
    if (auto name = ws.external_name()) claims_[{ws.provider_config, *name}] = i;
  }
}

const model::Workspace* DesiredState::claimant(const std::string& provider_config,
                                               const std::string& remote_id) const {
  auto it = claims_.find({provider_config, remote_id});
  return it == claims_.end() ? nullptr : &set_.workspaces[it->second];
}

const model::Workspace* DesiredState::find(const model::WorkspaceKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &set_.workspaces[it->second];
}

std::vector<const model::Workspace*> DesiredState::workspaces_of(
    const std::string& provider_config) const {
  std::vector<const model::Workspace*> out;
  for (const auto& ws : set_.workspaces) {
    if (ws.provider_config == provider_config) out.push_back(&ws);
  }
  return out;
}

}  // namespace wsop::reconcile
