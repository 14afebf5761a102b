// The workspace-operator.io/v1alpha1 API: the resource types every layer
// shares, as kubebuilder's api/v1alpha1/ package holds them. They include
// nothing of the operator but each other: no source position (the loader's
// controller/manifest/source_map.h), no provider (each provider's spec
// block is opaque here, providers/descriptor.h), no storage.
#pragma once

#include "api/v1alpha1/conditions.h"
#include "api/v1alpha1/group_version.h"
#include "api/v1alpha1/provider_config.h"
#include "api/v1alpha1/provider_type.h"
#include "api/v1alpha1/workspace.h"
