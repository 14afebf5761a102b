// The API group and version of workspace-operator's resources
// (workspace-operator.io/v1alpha1), their kinds and the annotations the
// operator reads: what kubebuilder keeps in groupversion_info.go.
#pragma once

namespace wsop::model {

inline constexpr const char* kApiVersion = "workspace-operator.io/v1alpha1";
inline constexpr const char* kKindWorkspace = "Workspace";
inline constexpr const char* kKindProviderConfig = "ProviderConfig";
inline constexpr const char* kDefaultNamespace = "default";

// Annotations the operator reads (as Crossplane and Flux spell theirs).
inline constexpr const char* kAnnotationExternalName = "workspace-operator.io/external-name";
inline constexpr const char* kAnnotationPaused = "workspace-operator.io/paused";
inline constexpr const char* kAnnotationReconcileRequestedAt =
    "workspace-operator.io/reconcile-requested-at";

}  // namespace wsop::model
