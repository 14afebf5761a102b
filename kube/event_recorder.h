// events.k8s.io/v1 Events about an object (what `kubectl describe` and
// `kubectl get events` show), recorded the way client-go's recorder does it:
//
//   - record() never blocks a reconcile: it puts the event on a bounded
//     queue and returns; when the queue is full the event is dropped and
//     counted (stats().dropped_queue_full). A worker thread of the recorder
//     writes them with a Client of its own.
//   - One Event per distinct (regarding uid, type, reason, action, note)
//     within dedup_window of its last occurrence. A repeat does not create
//     an Event: it counts in the Event's series {count, lastObservedTime},
//     written with a merge patch at most once per series_interval per Event
//     (repeats in between are folded into the next patch, and stop()
//     writes what is pending). After dedup_window without a repeat the next
//     occurrence starts a new Event.
//   - Writes (creates and series patches) for one object draw from a token
//     bucket of `burst` tokens refilled one per refill_interval (client-go's
//     spam filter: 25, one per 5 minutes); a create without a token is
//     dropped and counted (dropped_rate_limited); a series patch without a
//     token waits for the next occurrence or stop().
//   - The Event: name "<object name>.<hex nanoseconds>", the object's
//     namespace ("default" for a cluster-scoped object, as client-go does),
//     eventTime now (MicroTime), regarding (apiVersion, kind, namespace,
//     name, uid, resourceVersion), type Normal|Warning, reason and action
//     (each cut to 128 bytes), note (cut to 1 KiB on a UTF-8 boundary),
//     reportingController and reportingInstance.
//
// Secrets: the caller passes notes that are already redacted; the recorder
// never logs a note (it logs nothing: failures are counted in stats()).
// Thread-safe; record() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "kube/client.h"
#include "kube/config.h"

namespace wsop::kube {

inline const Resource kEventResource{"events.k8s.io", "v1", "events", true};

struct ObjectReference {
  std::string api_version;  // "workspace-operator.io/v1alpha1"
  std::string kind;         // "Workspace"
  std::string namespace_;   // "" for a cluster-scoped object
  std::string name;
  std::string uid;
  std::string resource_version;
};

// The reference to an object as the API answered it (apiVersion, kind, metadata).
ObjectReference reference_to(const Json& object);

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "workspace-operator.io/controller";
  std::string reporting_instance;  // the identity (leader_election.h); required
  std::size_t queue_capacity = 1000;
  std::chrono::milliseconds dedup_window{10 * 60 * 1000};
  std::chrono::milliseconds series_interval{30 * 1000};
  int burst = 25;
  std::chrono::milliseconds refill_interval{5 * 60 * 1000};
  std::size_t max_tracked = 4096;  // Events remembered for deduplication (oldest forgotten)
};

struct EventRecorderStats {
  std::uint64_t recorded = 0;              // accepted by record()
  std::uint64_t created = 0;               // Events created
  std::uint64_t series_updates = 0;        // series patches written
  std::uint64_t deduplicated = 0;          // occurrences folded into a series
  std::uint64_t dropped_queue_full = 0;    // refused by record(): queue full, or stopped
  std::uint64_t dropped_rate_limited = 0;  // creates without a token
  std::uint64_t dropped_on_stop = 0;       // still queued when stop() gave up
  std::uint64_t failed = 0;                // writes the API refused
};

class EventRecorder {
 public:
  // A Client of its own: few retries, short timeouts (a lost Event is
  // better than a stuck worker). kInvalid without reporting_instance.
  static Outcome<std::unique_ptr<EventRecorder>> create(const RestConfig& rest,
                                                        EventRecorderOptions options);
  ~EventRecorder();  // stop()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();  // once; record() before start() queues
  // Never blocks on the network; false when dropped (queue full, stopped).
  bool record(const ObjectReference& regarding, EventType type, std::string_view reason,
              std::string_view action, std::string_view note);
  // True once the queue is empty and nothing is being written (tests).
  bool wait_idle(std::chrono::milliseconds timeout);
  // Writes what is queued and the pending series counts for at most
  // flush_timeout, then cancels the client's waits and drops the rest
  // (counted). Safe to call twice.
  void stop(std::chrono::milliseconds flush_timeout = std::chrono::seconds(2));

  EventRecorderStats stats() const;

  // For create() (and tests); does not check the options.
  EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options);

 private:
  struct Occurrence {
    ObjectReference regarding;
    std::string type, reason, action, note;
    std::chrono::steady_clock::time_point at;
    std::chrono::system_clock::time_point wall;
  };
  struct Series {  // one Event written, and its repeats
    std::string namespace_, name, object_key;
    int count = 1;          // occurrences so far
    int written_count = 1;  // as the API last heard
    bool gone = false;      // the Event was deleted: the next occurrence creates a new one
    std::chrono::system_clock::time_point last_observed;
    std::chrono::steady_clock::time_point last_seen, last_written;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };

  void run();
  void handle(const Occurrence& occurrence);
  void create_event(const Occurrence& occurrence, const std::string& key);
  void patch_series(Series& series, bool force);
  void flush_due_series(bool force);
  bool take_token(const std::string& object_key);
  std::string event_name(const std::string& object_name);
  void forget_oldest();
  // Erases the least recent entries (by `stamp`) but `keep`, down to an
  // eighth below max_tracked.
  template <typename Entry, typename Stamp>
  void forget_least_recent(std::map<std::string, Entry>& entries, Stamp Entry::*stamp,
                           const std::string& keep);

  std::shared_ptr<Client> client_;
  EventRecorderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Occurrence> queue_;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  bool busy_ = false;             // guarded by mu_: the worker holds an occurrence
  bool done_ = false;             // guarded by mu_: the worker has finished
  bool abandoned_ = false;        // guarded by mu_: stop() gave up flushing
  EventRecorderStats stats_;      // guarded by mu_

  // Worker-only state.
  std::map<std::string, Series> series_;  // by dedup key
  // The keys of series_ with occurrences the API has not heard of: the only
  // ones a flush looks at (after each batch of occurrences), so that a
  // flush costs the pending series, not all of max_tracked. May name
  // series since forgotten or written; the flush drops those.
  std::set<std::string> unwritten_;
  std::map<std::string, Bucket> buckets_;  // by object (uid, else namespace/name)
  std::uint64_t last_name_nanos_ = 0;
  std::thread thread_;
};

}  // namespace wsop::kube
