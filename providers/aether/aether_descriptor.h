// Aether's descriptor (providers/descriptor.h): registered as "aether" in
// providers/registry.cpp.
#pragma once

#include "providers/descriptor.h"

namespace wsop::providers::aether {

ProviderDescriptor descriptor();

}  // namespace wsop::providers::aether
