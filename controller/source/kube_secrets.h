// The kubernetes mode's SecretReader (providers/http/secret_reader.h): the
// Secrets that ProviderConfigs name in credentials.secretRef, read through
// the Kubernetes API and kept current by watches, so a token source asks
// this cache before every request and a rotated Secret is used by the next
// one, without rebuilding the provider.
//
// One informer (kube/informer.h) per referenced Secret (namespace, name),
// listing and watching core v1 secrets in that namespace with the field
// selector metadata.name=NAME: the operator needs list and watch on Secrets
// (no get: reads come from the cache) only in the namespaces its
// ProviderConfigs name (RBAC may be a Role per namespace), and it never
// caches any other Secret of the cluster.
// watch() makes the set of informers exactly the one its references need:
// it starts the new ones and stops those no longer referenced (several keys
// of one Secret share its informer).
//
// read() answers from the caches, never with a request:
//   - the value of data[key], base64-decoded (strict: the standard alphabet
//     with its padding, as the API server encodes []byte);
//   - kUnauthorized "Secret NS/NAME not found", "Secret NS/NAME has no key
//     KEY", "Secret NS/NAME key KEY is not valid base64": the ProviderConfig
//     cannot be used until the Secret is fixed, as with an unset variable;
//   - kTransient "Secret NS/NAME not read yet" before its informer's first
//     list (the list's last error appended: a 403 says RBAC is missing), or
//     when the Secret is not watched.
// No message ever quotes a value, and on_change gets the reference only:
// a Secret's data reaches nothing but read()'s caller.
//
// on_change (optional) is called, from the informer's thread, for each
// watched reference whose data[key] changed after its informer's first list:
// created, updated, deleted (a relist after 410 Gone included). It must be
// quick and must not call watch() or stop() (they join the informer thread).
//
// Thread-safe. watch() and stop() may wait for a list or the opening of a
// watch to end (at most the client's request timeout) when they stop an
// informer.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/v1alpha1/types.h"
#include "common/status.h"
#include "kube/client.h"
#include "kube/informer.h"
#include "providers/http/secret_reader.h"

namespace wsop::source {

// core v1 secrets, as the REST paths name them.
extern const kube::Resource kSecretResource;

struct KubeSecretsOptions {
  // Watch timeouts and backoff of each informer (informer.h's defaults);
  // tests shorten them.
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds max_watch_timeout{600};
  std::chrono::milliseconds min_backoff{800};
  std::chrono::milliseconds max_backoff{30'000};
  std::function<void(const model::SecretKeySelector&)> on_change;
};

class KubeSecrets : public http::SecretReader {
 public:
  KubeSecrets(std::shared_ptr<kube::Client> client, KubeSecretsOptions options = {});
  ~KubeSecrets() override;  // stop()s
  KubeSecrets(const KubeSecrets&) = delete;
  KubeSecrets& operator=(const KubeSecrets&) = delete;

  // Watches exactly the Secrets refs name (duplicates and several keys of
  // one Secret are one informer); any other informer is stopped.
  void watch(const std::vector<model::SecretKeySelector>& refs);
  // True once every watched Secret has been listed; false after timeout.
  bool wait_for_sync(std::chrono::milliseconds timeout);
  // Stops every informer, for good: read() then answers "not read yet" and
  // watch() does nothing. Idempotent.
  void stop();

  Outcome<std::string> read(const model::SecretKeySelector& ref) override;

  // The (namespace, name) pairs watched, in order (for tests and /readyz).
  std::vector<std::pair<std::string, std::string>> watched() const;

 private:
  using SecretName = std::pair<std::string, std::string>;  // namespace, name
  struct Watched {
    std::shared_ptr<kube::Informer> informer;
    std::set<std::string> keys;  // of the references to this Secret
  };

  std::shared_ptr<kube::Informer> start_informer(const SecretName& secret);
  std::shared_ptr<kube::Informer> informer_of(const SecretName& secret) const;
  void on_data_change(const SecretName& secret, const kube::ObjectPtr& old_object,
                      const kube::ObjectPtr& new_object);

  const std::shared_ptr<kube::Client> client_;
  const KubeSecretsOptions options_;
  mutable std::mutex mu_;
  std::map<SecretName, Watched> watched_;  // guarded by mu_
  bool stopped_ = false;                   // guarded by mu_
};

}  // namespace wsop::source
