// The HTTP-status half of mapping a vendor answer to a Status; each provider
// supplies the vendor's message (Paradigm "detail", Cadenya
// google.rpc.Status "message", Aether "error") and may refine the code.
#pragma once

#include <string>

#include "common/status.h"
#include "providers/http/client.h"

namespace wsop::providers {

// For reads, updates and deletes: 400/422 Invalid, 401/403 Unauthorized,
// 404/410 NotFound, 409 Conflict, 429 RateLimited, 5xx and others Transient.
Status status_from_response(const http::ClientResponse& response, const std::string& vendor_message,
                            const std::string& action);

// For a create, where a 5xx or an unexpected answer leaves the outcome
// unknown: those become kAmbiguous, never Transient.
Status create_status_from_response(const http::ClientResponse& response,
                                   const std::string& vendor_message);

}  // namespace wsop::providers
