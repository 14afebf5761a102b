// A shared informer for one kind of resource (client-go's reflector and
// shared informer, smaller): list once, then only watch.
//
//   1. List (in pages; a consistent snapshot) and fill the cache; the
//      handlers see an add for each object. has_synced() turns true.
//   2. Watch from the list's resourceVersion with allowWatchBookmarks and a
//      timeoutSeconds drawn in [min_watch_timeout, max_watch_timeout] (so
//      many informers do not reconnect in step). Each event updates the
//      cache, then calls its handler; bookmarks only advance the
//      resourceVersion.
//   3. When the watch ends (its timeout, a dropped connection, a 5xx), watch
//      again from the last resourceVersion seen: no relist. After a failure
//      the next attempt waits an exponential backoff with jitter
//      (min_backoff doubling to max_backoff, reset by a watch that delivered
//      something); a clean end of the timeout reconnects at once.
//   4. Only a 410 Gone (the resourceVersion was compacted away, as an answer
//      or an ERROR event) relists: the cache is replaced by the new list and
//      the handlers see the differences: adds, updates (resourceVersion
//      changed) and deletes of what vanished meanwhile.
//
// Handlers are called in order, one at a time, from the informer's own
// thread, after the cache holds the change. They must be quick (enqueue a
// key) and must not call stop(). metadata.managedFields is dropped from
// cached objects (drop_managed_fields) to save memory: nothing here reads it.
// The cache keeps each object encoded (kube/cache.h): the handlers receive
// the event's own tree, and every read of the cache decodes one.
//
// stop() returns promptly when the informer is watching or waiting (it
// cancels the blocked read); during a list or the opening of a watch it
// returns once that request ends (at most the client's request timeout).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "kube/cache.h"
#include "kube/client.h"

namespace wsop::kube {

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  // Whether on_update reads old_object. The cache keeps objects encoded
  // (kube/cache.h), so the replaced one is decoded for on_update only when
  // this is set; otherwise old_object is null.
  bool reads_old_object = true;
  // The last state the informer knew (the watch's object, or the cached one
  // for a delete found by a relist).
  std::function<void(const ObjectPtr& object)> on_delete;
  // After each list has been handled in full (the first one: the cache is
  // synced), outside the informer's lock: a consumer waiting for every
  // informer to sync learns it at once instead of polling has_synced().
  std::function<void()> on_synced;
};

struct InformerOptions {
  Resource resource;
  std::string namespace_name;  // "" all namespaces (or a cluster-scoped kind)
  std::string label_selector;
  std::string field_selector;
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds max_watch_timeout{600};
  std::chrono::milliseconds min_backoff{800};
  std::chrono::milliseconds max_backoff{30'000};
  std::int64_t page_size = 500;
  std::vector<std::string> indexed_labels;       // ObjectCache::by_label
  std::vector<std::string> indexed_annotations;  // ObjectCache::by_annotation
  bool drop_managed_fields = true;
};

struct InformerStats {
  std::uint64_t lists = 0;           // every list, the first included
  std::uint64_t relists = 0;         // lists after a 410 Gone
  std::uint64_t watches = 0;         // watches opened
  std::uint64_t watch_failures = 0;  // watches that ended on an error
  std::uint64_t events = 0;          // events applied (bookmarks excluded)
  std::uint64_t bookmarks = 0;
};

class Informer {
 public:
  Informer(std::shared_ptr<Client> client, InformerOptions options, EventHandlers handlers);
  ~Informer();  // stop()s
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();  // starts the thread; once
  void stop();   // idempotent; joins the thread

  bool has_synced() const { return synced_; }
  // True once synced; false after timeout or stop().
  bool wait_for_sync(std::chrono::milliseconds timeout);

  const ObjectCache& cache() const { return cache_; }
  // The namespace watched ("" all, or a cluster-scoped kind).
  const std::string& namespace_name() const { return options_.namespace_name; }
  ObjectPtr get(const std::string& ns, const std::string& name) const;
  std::vector<ObjectPtr> list() const { return cache_.list(); }

  std::string last_resource_version() const;
  InformerStats stats() const;
  // The last list or watch failure ("" after a success), for /readyz.
  std::string last_error() const;

 private:
  void run();
  Status list_and_replace();
  // One watch until it ends; progressed: it delivered something.
  Status watch_once(bool& progressed);
  void apply(WatchEvent& event);
  ObjectPtr own(nlohmann::json object) const;
  bool sleep(std::chrono::milliseconds delay);  // false when stopping
  std::chrono::milliseconds jittered(std::chrono::milliseconds delay);
  void record(const Status& status);

  std::shared_ptr<Client> client_;
  const InformerOptions options_;
  const EventHandlers handlers_;
  ObjectCache cache_;
  std::atomic<bool> synced_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;            // guarded by mu_
  WatchStream* current_ = nullptr;   // the watch being read; guarded by mu_
  std::string resource_version_;     // guarded by mu_
  bool relist_from_latest_ = false;  // guarded by mu_; set by a 410 Gone
  InformerStats stats_;              // guarded by mu_
  std::string last_error_;           // guarded by mu_
  std::thread thread_;
};

}  // namespace wsop::kube
