// ProviderConfig (ARCHITECTURE.md section 1): one provider account, its
// credentials' source, rate limit, timeouts, TLS and proxy, after loading
// and defaulting. Cluster-scoped.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "api/v1alpha1/provider_type.h"

namespace wsop::model {

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

}  // namespace wsop::model
