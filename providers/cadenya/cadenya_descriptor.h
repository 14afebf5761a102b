// Cadenya's descriptor (providers/descriptor.h): registered as "cadenya" in
// providers/registry.cpp. Cadenya has no spec block of its own.
#pragma once

#include "providers/descriptor.h"

namespace wsop::providers::cadenya {

inline constexpr const char* kTypeName = "cadenya";

// Cadenya stores every field (seed 002) and our externalId natively; its
// list is filtered by our ownership label, so it does not show them all.
const Capabilities& type_capabilities();

ProviderDescriptor descriptor();

}  // namespace wsop::providers::cadenya
