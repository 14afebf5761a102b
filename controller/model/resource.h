// The resource model of ARCHITECTURE.md section 1: ProviderConfig and
// Workspace, after loading and defaulting. No source position: where a
// loaded document came from is the loader's business
// (controller/manifest/source_map.h). Every optional<> field is one the
// manifest may leave unset; an unset field is not managed (section 5: only the
// fields a manifest sets are compared with the remote).
//
// Providers may include this header (and only this one from controller/).
#pragma once

#include <chrono>
#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

// A provider type: the name its descriptor is registered under
// (providers/registry.h), as spec.type, the state store, the Kubernetes
// record and plans spell it. The model knows no provider: whether a name is
// registered is the registry's business; an empty name is no type (a
// ProviderConfig whose spec.type failed to decode).
class ProviderType {
 public:
  ProviderType() = default;
  explicit ProviderType(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  bool empty() const { return name_.empty(); }
  auto operator<=>(const ProviderType&) const = default;

 private:
  std::string name_;
};
inline const std::string& to_string(const ProviderType& type) {
  return type.name();
}
// A temporary's name is copied out (Provider::type() returns by value): a
// reference into it would dangle once the expression ends.
inline std::string to_string(ProviderType&& type) {
  return type.name();
}

// A provider's own block of a manifest (a Workspace's or a ProviderConfig's
// spec.<type>): decoded, validated and rendered by that provider's
// descriptor (providers/descriptor.h), which derives its typed block from
// this class and reads it back through its own code (providers/<type>/).
// The model holds it without knowing its type; it is immutable once decoded.
class ProviderSpecBlock {
 public:
  virtual ~ProviderSpecBlock() = default;
};

// The spec.<type> blocks as loaded, by provider type name, so that a
// Workspace carrying another type's block is still reported against the
// ProviderConfig it refers to. A block is null when it was present but
// failed to decode (its errors are reported; the document is invalid).
using ProviderSpecParts = std::map<std::string, std::shared_ptr<const ProviderSpecBlock>>;

// A key of a Kubernetes Secret (Crossplane's secretRef shape). namespace and
// name are DNS-1123 (a label, a subdomain); key follows Secret key rules
// ([-._a-zA-Z0-9]+, at most 253, not "." nor starting with "..").
struct SecretKeySelector {
  std::string ns;  // "namespace" in the manifest
  std::string name;
  std::string key;
  bool operator==(const SecretKeySelector&) const = default;
};

struct Credentials {
  // Exactly one of the three is set: the name of an environment variable,
  // the path of a file holding the token, or a Secret's key. Never the
  // token itself. secret_ref is read through the Kubernetes API, so only
  // the kubernetes mode (wsctl controller --source kubernetes) can use it,
  // through ProviderContext::secrets (providers/registry.h); the file and
  // git modes decode it and refuse it where the token source is made
  // (providers/registry.cpp, client_options).
  std::optional<std::string> env;
  std::optional<std::string> file;
  std::optional<SecretKeySelector> secret_ref;
};

struct RateLimit {
  double qps = 10;
  int burst = 20;
};

struct Timeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds request{30000};
};

struct Tls {
  std::string ca_file;  // empty: the system trust store
  bool insecure_skip_verify = false;
};

// How a provider's requests reach it (spec.proxy). Unset (neither field):
// the environment's proxy variables, read as curl reads them
// (providers/http/proxy.h). url: this http:// proxy, whatever the
// environment says; it may carry user:password, which is never logged,
// printed or stored. none: always connect directly.
struct Proxy {
  std::optional<std::string> url;
  bool none = false;
};

struct ProviderConfig {
  std::string name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  ProviderType type;
  std::string base_url;  // defaulted from the type when unset
  Credentials credentials;
  RateLimit rate_limit;
  Timeouts timeouts;
  Tls tls;
  Proxy proxy;
  // spec.<type>: at most the one of its own type in a valid ProviderConfig.
  ProviderSpecParts provider_specs;

  // The decoded block of spec.<type>, or null when absent or failed.
  const ProviderSpecBlock* provider_spec(const std::string& type) const;
};

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

struct WorkspaceKey {
  std::string ns;
  std::string name;
  std::string to_string() const { return ns + "/" + name; }
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
