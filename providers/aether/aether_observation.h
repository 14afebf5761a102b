// What Aether reports beyond the neutral RemoteWorkspace: the project and
// keep_active, kept in RemoteWorkspace::vendor_fields (providers/provider.h),
// which only this provider reads. The keys are the ones the state store's
// observed_json has always had (projectId, keepActive), so records written
// before read unchanged.
#pragma once

#include <optional>
#include <string>

#include "providers/provider.h"
#include "providers/support/json_fields.h"

namespace wsop::providers::aether {

inline std::optional<std::string> project_of(const RemoteWorkspace& ws) {
  return get_string(ws.vendor_fields, "projectId");
}
inline void set_project(RemoteWorkspace& ws, const std::optional<std::string>& project) {
  set_or_erase(ws.vendor_fields, "projectId", project);
}

inline std::optional<bool> keep_active_of(const RemoteWorkspace& ws) {
  return get_bool(ws.vendor_fields, "keepActive");
}
inline void set_keep_active(RemoteWorkspace& ws, const std::optional<bool>& keep_active) {
  set_or_erase(ws.vendor_fields, "keepActive", keep_active);
}

// The project is immutable; a read that left it out keeps the value `last`
// had. keep_active is mutable: what the read says (or nothing) stands.
inline void keep_unreported_fields(const RemoteWorkspace& last, RemoteWorkspace& fresh) {
  if (!project_of(fresh)) set_project(fresh, project_of(last));
}

}  // namespace wsop::providers::aether
