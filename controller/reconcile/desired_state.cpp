#include "controller/reconcile/desired_state.h"

namespace wsop::reconcile {

DesiredState::DesiredState(manifest::ManifestSet set, std::string revision)
    : set_(std::move(set)), revision_(std::move(revision)) {
  for (size_t i = 0; i < set_.workspaces.size(); ++i) index_[set_.workspaces[i].key()] = i;
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
