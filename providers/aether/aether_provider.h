// Aether (../shared/providers/aether.md). No name, no external id, no
// labels: identity lives only in the state store. Provisioning is
// asynchronous; an unknown status is transitional, never an error. A lost
// create is found again only by project, hardware and creation window.
#pragma once

#include <memory>

#include "providers/registry.h"

namespace wsop::providers::aether {

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig& config,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context);

// The status word's meaning (exposed for tests).
Phase phase_of(const std::string& status);

}  // namespace wsop::providers::aether
