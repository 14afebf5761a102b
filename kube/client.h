// REST verbs on Kubernetes resources, objects as JSON (nlohmann::json), over
// the transport (transport.h). Each verb answers the object the server
// returned, or a Status mapped from the metav1 Status of the answer
// (errors.h: is_not_found, is_already_exists, is_conflict, is_gone, ...).
//
// Retries (RetryPolicy): a 429 or 5xx answer, or a network failure, is
// retried with exponential backoff and full jitter, waiting Retry-After
// when the server sends one (capped at max_retry_after); at most
// max_attempts attempts within max_total. A POST (create) is retried only
// after a 429 or a failure before it was sent: the server may have
// processed it otherwise. stop() ends every wait at once (is_canceled()).
// Watches are not retried here: the informer reconnects (informer.h).
//
// Preconditions: update() and update_status() send the object's
// metadata.resourceVersion, which the server checks (409 Conflict when it
// is stale); an object without one is refused locally (kInvalid) rather
// than written unconditionally. update_with_retry() is client-go's
// RetryOnConflict: read, mutate, write, and on Conflict read again.
//
// Thread-safe; share one Client.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kube/config.h"
#include "kube/transport.h"
#include "kube/watch.h"

namespace wsop::kube {

using Json = nlohmann::json;

// A kind of resource, as the REST paths name it.
struct Resource {
  std::string group;    // "" for the core group ("v1" Secrets, Events...)
  std::string version;  // "v1alpha1"
  std::string plural;   // "workspaces"
  bool namespaced = true;

  // "/api/v1/..." or "/apis/GROUP/VERSION/..." with "namespaces/NS/" when
  // namespaced and ns is not empty (empty: all namespaces), then PLURAL and,
  // when given, /NAME and /SUBRESOURCE; segments percent-encoded.
  std::string path(std::string_view ns, std::string_view name = {},
                   std::string_view subresource = {}) const;
};

struct ListOptions {
  std::string label_selector;    // "team=research,tier!=gpu"
  std::string field_selector;    // "metadata.name=x"
  std::string resource_version;  // "" most recent (from etcd); "0" any (from the watch cache)
  std::int64_t limit = 0;        // a page size; 0: all at once
  std::string continue_token;    // of the previous page
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // resume after this one
  bool allow_bookmarks = true;
  std::chrono::seconds timeout{300};  // the server ends the watch after this (timeoutSeconds)
};

struct DeleteOptions {
  std::string precondition_uid;               // refuse unless the object has this uid
  std::string precondition_resource_version;  // refuse unless it is at this version
  std::string propagation_policy;             // "Background" | "Foreground" | "Orphan" | ""
};

enum class PatchType {
  kMerge,  // application/merge-patch+json (RFC 7386)
  kJson,   // application/json-patch+json (RFC 6902)
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  std::chrono::milliseconds max_total{60'000};  // no wait starts that would end past this
  std::chrono::milliseconds max_retry_after{30'000};
};

struct ClientOptions {
  TransportOptions transport;
  std::chrono::milliseconds request_timeout{30'000};
  RetryPolicy retry;
};

class Client {
 public:
  static Outcome<std::shared_ptr<Client>> create(const RestConfig& config,
                                                 ClientOptions options = {});

  Outcome<Json> get(const Resource& resource, std::string_view ns, std::string_view name);
  Outcome<Json> get_status(const Resource& resource, std::string_view ns, std::string_view name);
  // One answer of the server: the List object (items, metadata.resourceVersion,
  // metadata.continue when options.limit cut it short).
  Outcome<Json> list(const Resource& resource, std::string_view ns,
                     const ListOptions& options = {});
  // Every page of a list, in one List object with the first page's
  // resourceVersion (a consistent snapshot). A continue token that expires
  // (410) restarts the list once without pages.
  Outcome<Json> list_all(const Resource& resource, std::string_view ns, ListOptions options,
                         std::int64_t page_size = 500);
  Outcome<Json> create(const Resource& resource, std::string_view ns, const Json& object);
  // PUT of the object to its metadata.namespace/name.
  Outcome<Json> update(const Resource& resource, const Json& object);
  Outcome<Json> update_status(const Resource& resource, const Json& object);
  Outcome<Json> patch(const Resource& resource, std::string_view ns, std::string_view name,
                      const Json& patch, PatchType type = PatchType::kMerge);
  Outcome<Json> patch_status(const Resource& resource, std::string_view ns, std::string_view name,
                             const Json& patch, PatchType type = PatchType::kMerge);
  // The answer: the deleted object, or the object still terminating
  // (finalizers), or a Status.
  Outcome<Json> remove(const Resource& resource, std::string_view ns, std::string_view name,
                       const DeleteOptions& options = {});
  // Opens a watch; the first answer's errors (410 for a resourceVersion too
  // old, 403...) are returned here.
  Outcome<std::unique_ptr<WatchStream>> watch(const Resource& resource, std::string_view ns,
                                              const WatchOptions& options);

  // Any request, with the retries above; target below the server's prefix.
  Outcome<Json> request(const std::string& method, const std::string& target,
                        const std::string& body = "", const std::string& content_type = "");

  // Ends retry waits and refuses later requests (is_canceled()).
  void stop();

  const RestConfig& config() const { return config_; }

  Client(RestConfig config, std::shared_ptr<Transport> transport, ClientOptions options);

 private:
  Outcome<Json> call(const HttpRequest& request, const std::string& what);
  Outcome<Json> write_object(const std::string& method, const Resource& resource,
                             const Json& object, std::string_view subresource);
  std::chrono::milliseconds backoff(int attempt);
  bool wait(std::chrono::milliseconds delay);  // false when stopped

  RestConfig config_;
  std::shared_ptr<Transport> transport_;
  ClientOptions options_;
  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;  // guarded by mu_
  std::mt19937_64 rng_;   // guarded by mu_
};

// Changes `object` in place; a non-ok Status aborts update_with_retry with it.
using Mutate = std::function<Status(Json& object)>;

struct ConflictRetry {
  int attempts = 5;                     // client-go's DefaultRetry: 5 steps
  std::chrono::milliseconds delay{10};  // then doubled, jittered
};

// Reads the object (or its status), applies mutate, writes it back (update
// or update_status) with the resourceVersion read; on Conflict, reads
// again. When mutate changes nothing, nothing is written and the object
// read is returned. kConflict after `attempts` conflicts.
Outcome<Json> update_with_retry(Client& client, const Resource& resource, std::string_view ns,
                                std::string_view name, const Mutate& mutate,
                                bool status_subresource = false, ConflictRetry retry = {});

// metadata.namespace + "/" + metadata.name ("name" for cluster-scoped objects).
std::string object_key(const Json& object);
std::string object_resource_version(const Json& object);

}  // namespace wsop::kube
