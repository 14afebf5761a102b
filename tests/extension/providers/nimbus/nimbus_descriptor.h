// Nimbus, a fake fourth provider that exists only in the test build
// (tests/extension/README.md): its descriptor (providers/descriptor.h) and
// its spec block, spec.nimbus of a Workspace. Nothing outside
// tests/extension/ names it; the test binary registers it beside the
// built-in types (tests/extension/nimbus_registries.h).
#pragma once

#include <optional>
#include <string>

#include "providers/descriptor.h"

namespace wsop::providers::nimbus {

inline constexpr const char* kTypeName = "nimbus";

// A Workspace's spec.nimbus: where the workspace lives (immutable after
// create: a change needs a replacement) and its service tier (mutable).
struct WorkspaceSpec : model::ProviderSpecBlock {
  std::string region;               // "eu-1": letters, a dash, digits
  std::optional<std::string> tier;  // "standard" or "premium"; unset: left as it is
};

// desired's spec.nimbus, or null when it has none.
const WorkspaceSpec* spec_of(const model::Workspace& desired);

// What Nimbus stores: the name and our externalId, no description, labels
// nor hardware; a 404 proves absence and its list shows every workspace.
const Capabilities& type_capabilities();

// The problem with a remote id ("nb-" and digits), or "".
std::string check_remote_id(const std::string& id);

ProviderDescriptor descriptor();

}  // namespace wsop::providers::nimbus
