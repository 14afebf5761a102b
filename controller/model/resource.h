// The resource model of ARCHITECTURE.md section 1: ProviderConfig and
// Workspace, after loading and defaulting. Every optional<> field is one the
// manifest may leave unset; an unset field is not managed (section 5: only the
// fields a manifest sets are compared with the remote).
//
// Providers may include this header (and only this one from controller/).
#pragma once

#include <chrono>
#include <map>
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

// Where a resource came from, for error messages after loading.
struct LineCol {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};
struct SourcePosition {
  std::string file;
  LineCol at;  // the document's start
};

// Positions of the fields that rules across documents point at.
struct WorkspaceMarks {
  LineCol name, provider_config_ref, external_id, display_name, hardware, paradigm, aether;
};

enum class ProviderType { kParadigm, kCadenya, kAether };
const char* to_string(ProviderType type);
std::optional<ProviderType> provider_type_from_string(const std::string& text);

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

// Paradigm's ProviderConfig block: the company of the token, whose company
// list (GET /api/v3/company/workspaces) covers that company only. Absence
// from that list proves nothing for any other company (paradigm.md, traps).
struct ParadigmProviderSpec {
  std::optional<int64_t> company_id;
  // Paradigm does not refuse a second workspace of the same name in a
  // company; the operator does, unless this is set (a first create that
  // finds the name taken reports AlreadyExists instead of creating).
  bool allow_duplicate_names = false;
};

struct ProviderConfig {
  std::string name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  ProviderType type = ProviderType::kParadigm;
  std::string base_url;  // defaulted from the type when unset
  Credentials credentials;
  RateLimit rate_limit;
  Timeouts timeouts;
  Tls tls;
  Proxy proxy;
  ParadigmProviderSpec paradigm;
  SourcePosition position;
  LineCol name_mark;
  LineCol secret_ref_mark;  // spec.credentials.secretRef, when set
};

// The vendor's default base URL for each type.
const char* default_base_url(ProviderType type);

enum class DeletionPolicy { kDelete, kOrphan };
enum class ManagementPolicy { kFull, kObserveOnly, kCreateOnly };
const char* to_string(DeletionPolicy policy);
const char* to_string(ManagementPolicy policy);

// Aether's hardware; every field optional (unset: the account's default at
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

// Paradigm's name limit, in characters (../shared/seeds/000_4631a2fecae5f0ba.txt).
inline constexpr size_t kParadigmMaxNameLength = 100;

enum class DocumentUploadMethod { kManual, kSynced };
const char* to_string(DocumentUploadMethod method);

struct ParadigmSpec {
  int64_t company_id = 0;
  // Unset: "manual" at create, and on adoption whatever the remote has.
  std::optional<DocumentUploadMethod> document_upload_method;
};

enum class PowerState { kRunning, kStopped };
const char* to_string(PowerState state);

struct AetherSpec {
  std::string project_id;  // UUID
  std::optional<bool> keep_active;
  std::optional<PowerState> power_state;  // unset: leave it as it is
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
  std::optional<ParadigmSpec> paradigm;
  std::optional<AetherSpec> aether;
  SourcePosition position;
  WorkspaceMarks marks;

  WorkspaceKey key() const { return {ns, name}; }
  // The fields this manifest sets that a provider of `type` never receives
  // ("spec.description" for Aether): kept in the manifest only, so a change
  // to them changes nothing remotely (docs/PROVIDERS.md).
  std::vector<std::string> local_only_fields(ProviderType type) const;
  // The external-name annotation, when set: adopt this remote id.
  std::optional<std::string> external_name() const;
  bool paused() const;
};

}  // namespace wsop::model
