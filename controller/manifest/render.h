// The normalised model as manifests again: every default filled in, keys in
// a stable order. Loading the output gives back the same model.
#pragma once

#include <nlohmann/json.hpp>

#include "controller/manifest/manifest_set.h"

namespace wsop::manifest {

// Holds spec.proxy.url as written, credentials included, so that a password
// change makes a different rendering (controller/reconcile/provider_set.cpp
// rebuilds a provider on any change): never print or log it as it is.
// registry: whose descriptors render the spec.<type> blocks (a block of a
// type it does not hold is left out).
nlohmann::ordered_json to_manifest_json(
    const model::ProviderConfig& config,
    const providers::Registry& registry = providers::Registry::builtin());
nlohmann::ordered_json to_manifest_json(
    const model::Workspace& workspace,
    const providers::Registry& registry = providers::Registry::builtin());

// spec.hardware as a manifest spells it; only the fields that are set.
nlohmann::ordered_json to_manifest_json(const model::Hardware& hardware);

// The digest of a workspace's desired spec (its normalised manifest), kept in
// the state store to tell a manifest change from drift.
std::string desired_digest(const model::Workspace& workspace,
                           const providers::Registry& registry = providers::Registry::builtin());

// {"apiVersion": "v1", "kind": "List", "items": [...]}, as kubectl prints
// several objects: ProviderConfigs first, then Workspaces, in source order.
// For printing: a proxy URL's credentials are shown as *** (so this one
// does not load back into the same model).
nlohmann::ordered_json to_manifest_list(const ManifestSet& set);

}  // namespace wsop::manifest
