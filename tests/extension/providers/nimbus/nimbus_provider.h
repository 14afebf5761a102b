// The Nimbus client (tests/extension/sim/nimbus/nimbus_sim.h is its API):
// a Provider (providers/provider.h) over the shared HTTP client, made by
// the descriptor's factory.
#pragma once

#include <memory>

#include "providers/registry.h"

namespace wsop::providers::nimbus {

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig& config,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context);

}  // namespace wsop::providers::nimbus
