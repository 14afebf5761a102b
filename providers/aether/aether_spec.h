// Aether's own spec block (../shared/providers/aether.md), decoded and
// rendered by its descriptor (aether_descriptor.h) and kept in the model as
// an opaque part (model::ProviderSpecBlock); the client reads it back
// through the accessors here.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "api/v1alpha1/types.h"
#include "providers/provider.h"

namespace wsop::providers::aether {

inline constexpr const char* kTypeName = "aether";

enum class PowerState { kRunning, kStopped };
const char* to_string(PowerState state);

// A Workspace's spec.aether.
struct WorkspaceSpec : model::ProviderSpecBlock {
  WorkspaceSpec() = default;
  WorkspaceSpec(std::string project, std::optional<bool> keep,
                std::optional<PowerState> power = std::nullopt)
      : project_id(std::move(project)), keep_active(keep), power_state(power) {}

  std::string project_id;  // UUID
  std::optional<bool> keep_active;
  std::optional<PowerState> power_state;  // unset: leave it as it is
};

// desired's spec.aether, or null when it has none.
const WorkspaceSpec* spec_of(const model::Workspace& desired);
// Sets workspace's spec.aether (tests and callers building a model by hand).
void set_spec(model::Workspace& workspace, WorkspaceSpec spec);

// What Aether stores: hardware; no name, description, labels or external id
// (seed 003).
const Capabilities& type_capabilities();

}  // namespace wsop::providers::aether
