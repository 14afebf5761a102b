// Workspace (ARCHITECTURE.md section 1): one remote workspace as declared,
// after loading and defaulting. Every optional<> field is one the manifest
// may leave unset; an unset field is not managed (section 5: only the fields
// a manifest sets are compared with the remote). Namespaced.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/v1alpha1/group_version.h"
#include "api/v1alpha1/provider_type.h"

namespace wsop::model {

enum class DeletionPolicy { kDelete, kOrphan };
enum class ManagementPolicy { kFull, kObserveOnly, kCreateOnly };
const char* to_string(DeletionPolicy policy);
const char* to_string(ManagementPolicy policy);

// spec.hardware, for a provider whose Capabilities::hardware is set
// (providers/provider.h; Aether today); every field optional (unset: the account's default at
// create time, which need not be the documented one, and not compared
// afterwards). No ranges: the vendor documents none, so the server judges
// (docs/PROVIDERS.md, Aether).
struct Hardware {
  std::optional<std::string> cpu_kind;  // as the server spells it ("shared", "performance")
  std::optional<int> cpus;
  std::optional<int> memory_mb;
  std::optional<int> volume_size_gb;
  // gpuKind: unset means unmanaged; set to null means "no GPU".
  std::optional<std::optional<std::string>> gpu_kind;
};

// A Workspace's identity, spelt "namespace/name" as kubectl prints it: in
// the work queue, the state store, plans and every command's arguments.
struct WorkspaceKey {
  std::string ns;
  std::string name;
  std::string to_string() const { return ns + "/" + name; }
  // "namespace/name", or "name" in default_ns; nothing when text is neither
  // (empty, an empty part, more than one slash). The one reading of a key.
  static std::optional<WorkspaceKey> parse(std::string_view text, std::string_view default_ns);
  auto operator<=>(const WorkspaceKey&) const = default;
};

struct Workspace {
  std::string name;
  std::string ns = kDefaultNamespace;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string provider_config;  // spec.providerConfigRef.name
  std::string external_id;      // default "<namespace>/<name>"
  std::string display_name;     // default metadata.name
  std::optional<std::string> description;
  DeletionPolicy deletion_policy = DeletionPolicy::kDelete;
  ManagementPolicy management_policy = ManagementPolicy::kFull;
  std::optional<Hardware> hardware;
  // spec.<type>: in a valid Workspace, exactly the one its ProviderConfig's
  // type requires, or none when that type has no block.
  ProviderSpecParts provider_specs;

  WorkspaceKey key() const { return {ns, name}; }
  // The decoded block of spec.<type>, or null when absent or failed.
  const ProviderSpecBlock* provider_spec(const std::string& type) const;
  // The external-name annotation, when set: adopt this remote id.
  std::optional<std::string> external_name() const;
  bool paused() const;
};

}  // namespace wsop::model
