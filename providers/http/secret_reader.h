// Where a credentials.secretRef's token comes from: the value of one key of
// a Kubernetes Secret, decoded. Vendor-neutral and free of any Kubernetes
// client, so that providers/ stays below it: the kubernetes mode supplies
// one (controller/source/kube_secrets.h, over the API's watch caches) through
// ProviderContext::secrets (providers/registry.h); the file and git modes
// have none, and a secretRef is refused there (kSecretRefNeedsKubernetes in
// credential_policy.h).
//
// TokenSource (token_source.h) calls read() before every request, so an
// implementation must be cheap (a cache, never a request per call) and
// thread-safe, and a rotated Secret is used by the next request.
//
// Errors never quote the value: they name the Secret (namespace/name) and
// the key. kUnauthorized when the Secret, the key or a decodable value is
// missing (the ProviderConfig cannot be used until someone fixes it, as
// with an unset variable); kTransient while the Secret has not been read
// yet (a later attempt may succeed).
#pragma once

#include <string>

#include "api/v1alpha1/types.h"
#include "common/status.h"

namespace wsop::http {

class SecretReader {
 public:
  virtual ~SecretReader() = default;
  // data[ref.key] of the Secret ref.ns/ref.name, decoded (raw bytes; the
  // caller judges whether they make a token).
  virtual Outcome<std::string> read(const model::SecretKeySelector& ref) = 0;
};

// "Secret NS/NAME", as every message about ref starts.
inline std::string secret_display(const model::SecretKeySelector& ref) {
  return "Secret " + ref.ns + "/" + ref.name;
}

}  // namespace wsop::http
