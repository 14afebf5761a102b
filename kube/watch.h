// A watch: the stream of changes the API server sends for
// `GET ...?watch=true&resourceVersion=RV`, one JSON event per line:
// {"type":"ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR","object":{...}}.
// BOOKMARK carries only the object's metadata.resourceVersion: the point a
// later watch may resume from. ERROR carries a metav1 Status; it ends the
// watch and is returned as that Status (errors.h), so a 410 ERROR (history
// compacted) is_gone() and means relist.
//
// A WatchStream is read by one thread; cancel() may come from any other.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kube/transport.h"

namespace wsop::kube {

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark };
  Type type = Type::kAdded;
  nlohmann::json object;

  // object.metadata.resourceVersion, "" when absent.
  std::string resource_version() const;
};

const char* to_string(WatchEvent::Type type);

// One line of a watch stream. ERROR: the Status of its object. kInvalid for
// a line that is no watch event (not JSON, unknown type, no object).
// `what` names the watch in messages.
Outcome<WatchEvent> parse_watch_line(std::string_view line, std::string_view what);

class WatchStream {
 public:
  WatchStream(std::unique_ptr<LineStream> lines, std::string what);

  // The next event, blocking. nullopt when the server ended the watch
  // cleanly (its timeoutSeconds passed): resume from the last
  // resourceVersion seen. Errors: an ERROR event (its Status), a broken or
  // idle stream (kTransient), cancel() (is_canceled()). Blank lines are
  // skipped.
  Outcome<std::optional<WatchEvent>> next();

  // Thread-safe: a blocked next() returns promptly with is_canceled().
  void cancel();

 private:
  std::unique_ptr<LineStream> lines_;
  std::string what_;
};

}  // namespace wsop::kube
