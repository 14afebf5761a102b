// Paradigm's descriptor (providers/descriptor.h): registered as "paradigm"
// in providers/registry.cpp.
#pragma once

#include "providers/descriptor.h"

namespace wsop::providers::paradigm {

ProviderDescriptor descriptor();

}  // namespace wsop::providers::paradigm
