// LightOn Paradigm (../shared/providers/paradigm.md). No external id and no
// labels: identity lives in the state store. A 403 or 404 on a read only
// means "not visible"; a lost create is found again by exact name within the
// company.
#pragma once

#include <memory>

#include "providers/registry.h"

namespace wsop::providers::paradigm {

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig& config,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context);

}  // namespace wsop::providers::paradigm
