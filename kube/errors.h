// Kubernetes API answers as Status values. A non-2xx answer carries a
// metav1 Status ({"kind":"Status","code":409,"reason":"AlreadyExists",
// "message":...}); it maps to a Code, and its reason is kept in
// Status::reason() so callers can tell cases of one Code apart:
//   400 BadRequest, 405, 406, 415, 422 Invalid, other 4xx -> kInvalid
//   401 -> kUnauthorized            403 -> kForbidden
//   404 -> kNotFound
//   409 -> kConflict, reason "AlreadyExists" (create) or "Conflict" (a stale
//          resourceVersion or failed precondition)
//   410 -> kConflict, reason "Expired" or "Gone": the resourceVersion is
//          older than the server's history; the caller must relist
//   429 -> kRateLimited; 5xx -> kTransient; both with retry_after from
//          Retry-After (seconds), which the client honours (client.h)
// The message names the verb and the object, and quotes the server's
// message (bounded); the server never echoes a credential there.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wsop::kube {

// Status::reason() values set by this folder.
inline constexpr std::string_view kReasonAlreadyExists = "AlreadyExists";
inline constexpr std::string_view kReasonConflict = "Conflict";
inline constexpr std::string_view kReasonExpired = "Expired";
inline constexpr std::string_view kReasonGone = "Gone";
inline constexpr std::string_view kReasonInvalid = "Invalid";
inline constexpr std::string_view kReasonCanceled = "Canceled";  // stop() or cancel()

// The Status of an HTTP answer; ok for 2xx. `what` names the request
// ("PUT workspaces team-a/x").
Status status_from_answer(int http_status, std::string_view body, std::string_view retry_after,
                          std::string_view what);

// The Status of a watch ERROR event's object (a metav1 Status).
Status status_from_watch_error(std::string_view object_json, std::string_view what);

// Retry-After in seconds (what the API server sends); nullopt otherwise.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header);

bool is_not_found(const Status& status);
bool is_already_exists(const Status& status);
bool is_conflict(const Status& status);  // 409 other than AlreadyExists
bool is_gone(const Status& status);      // 410: relist
bool is_invalid(const Status& status);   // 422, or a bad request
bool is_canceled(const Status& status);

}  // namespace wsop::kube
