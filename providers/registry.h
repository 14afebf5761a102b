// Provider types registered by name, as Envoy registers extensions: the
// controller asks for a provider by a ProviderConfig's type and never
// includes a provider's header. Registration is explicit, one line per
// provider in builtin_registry.cpp.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

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

using ProviderFactory = std::function<Outcome<std::unique_ptr<Provider>>(
    const model::ProviderConfig&, std::unique_ptr<http::Client>, const ProviderContext&)>;

class Registry {
 public:
  // The registry with every built-in provider type. Defined in
  // builtin_registry.cpp, in wsop_provider_registry: the providers include
  // this header for ProviderContext, but only what links that library calls it.
  static const Registry& builtin();

  void add(std::string type, ProviderFactory factory);

  // Builds the HTTP client of config (token source, rate limiter, TLS,
  // timeouts) and the provider of its type. kInvalid, and no provider, when
  // context.credentials refuses the config's credentials, or they are a
  // secretRef and context.secrets is null.
  Outcome<std::unique_ptr<Provider>> make(const model::ProviderConfig& config,
                                          const ProviderContext& context) const;

 private:
  std::map<std::string, ProviderFactory> factories_;
};

// The HTTP client options a ProviderConfig asks for. The proxy is
// spec.proxy's, else the environment's (read through getenv) as curl reads
// it; kInvalid when the proxy URL chosen does not parse.
Outcome<http::ClientOptions> client_options(const model::ProviderConfig& config,
                                            const ProviderContext& context,
                                            const http::Getenv& getenv = http::system_getenv);

}  // namespace wsop::providers
