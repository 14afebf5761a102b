// Provider types registered by name, as Envoy registers extensions: each
// provider's folder defines a descriptor (descriptor.h) and the core finds
// it by a ProviderConfig's type, never including a provider's header.
// Registration is explicit, one line per provider in builtin_registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "providers/descriptor.h"
#include "providers/http/client.h"
#include "providers/http/credential_policy.h"
#include "providers/http/secret_reader.h"
#include "providers/provider.h"
#include "providers/support/pagination.h"

namespace wsop::providers {

// What every provider is built from besides its ProviderConfig.
struct ProviderContext {
  ProviderContext() = default;
  // Callers that predate the credential policy pass two values: they get the
  // default policy (no file, variables of the default pattern).
  ProviderContext(std::string instance, std::shared_ptr<http::RequestObserver> metrics = {},
                  http::CredentialPolicy policy = {})
      : instance_id(std::move(instance)),
        observer(std::move(metrics)),
        credentials(std::move(policy)) {}

  std::string instance_id;  // the operator instance: Cadenya's ownership label value
  std::shared_ptr<http::RequestObserver> observer;  // metrics; may be null
  // Which variables and files a ProviderConfig may take its token from
  // (--credentials-dir, --credentials-env-pattern); the default accepts
  // variables of the default pattern and no file.
  http::CredentialPolicy credentials;
  // A one-shot command's cutoff for every client (http/cutoff.h); null: none.
  std::shared_ptr<const http::Cutoff> cutoff;
  PaginationLimits pagination;  // caps on every list (support/pagination.h)
  // Reads credentials.secretRef (the kubernetes mode's, over the API's
  // watch caches: controller/source/kube_secrets.h). Null in the file and
  // git modes, where a secretRef ProviderConfig gets no client.
  std::shared_ptr<http::SecretReader> secrets;
};

class Registry {
 public:
  // The registry with every built-in provider type. Defined in
  // builtin_registry.cpp, in wsop_provider_registry: the providers include
  // this header for ProviderContext, but only what links that library calls it.
  static const Registry& builtin();

  // Registers descriptor under its name, replacing one of the same name.
  void add(ProviderDescriptor descriptor);
  // Replaces the client factory of type (a test wrapping a built-in one);
  // an unknown type gets a descriptor with nothing but the factory.
  void add(std::string type, ProviderFactory factory);

  // The descriptor registered as name, or null.
  const ProviderDescriptor* find(std::string_view name) const;
  const ProviderDescriptor* find(const model::ProviderType& type) const {
    return find(std::string_view(type.name()));
  }
  // Every descriptor, in registration order (spec.type's allowed values
  // are listed in that order).
  const std::vector<ProviderDescriptor>& descriptors() const { return descriptors_; }
  std::vector<std::string> names() const;

  // Builds the HTTP client of config (token source, rate limiter, TLS,
  // timeouts) and the provider of its type. kInvalid, and no provider, when
  // context.credentials refuses the config's credentials, or they are a
  // secretRef and context.secrets is null.
  Outcome<std::unique_ptr<Provider>> make(const model::ProviderConfig& config,
                                          const ProviderContext& context) const;

 private:
  std::vector<ProviderDescriptor> descriptors_;
};

// The HTTP client options a ProviderConfig asks for. The proxy is
// spec.proxy's, else the environment's (read through getenv) as curl reads
// it; kInvalid when the proxy URL chosen does not parse.
Outcome<http::ClientOptions> client_options(const model::ProviderConfig& config,
                                            const ProviderContext& context,
                                            const http::Getenv& getenv = http::system_getenv);

}  // namespace wsop::providers
