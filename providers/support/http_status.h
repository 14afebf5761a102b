// The HTTP-status half of mapping a vendor answer to a Status; each provider
// supplies the vendor's message (Paradigm "detail", Cadenya
// google.rpc.Status "message", Aether "error") and may refine the code.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "providers/http/client.h"

namespace wsop::providers {

// A vendor's message made fit for a Status message, a condition and a log
// line: control characters become spaces and the text is cut, on a UTF-8
// character boundary, after max_bytes (a hostile error body may hold
// megabytes of text or terminal escapes).
std::string printable_excerpt(std::string_view text, size_t max_bytes = 512);

// For reads, updates and deletes: 400/422 Invalid, 401/403 Unauthorized,
// 404/410 NotFound, 409 Conflict, 429 RateLimited, 5xx and others Transient.
Status status_from_response(const http::ClientResponse& response, const std::string& vendor_message,
                            const std::string& action);

// For a create, where a 5xx or an unexpected answer leaves the outcome
// unknown: those become kAmbiguous, never Transient.
Status create_status_from_response(const http::ClientResponse& response,
                                   const std::string& vendor_message);

}  // namespace wsop::providers
