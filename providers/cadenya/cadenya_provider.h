// Cadenya (../shared/providers/cadenya.md). externalId is native but not
// unique, so the operator marks what it manages with an ownership label and
// matches externalId on the client side; two matches are a conflict.
#pragma once

#include <memory>

#include "providers/registry.h"

namespace wsop::providers::cadenya {

// The label that marks workspaces managed by an operator instance.
inline constexpr const char* kOwnerLabel = "workspace-operator.io/owner";

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig& config,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context);

}  // namespace wsop::providers::cadenya
