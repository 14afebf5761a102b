#include "providers/support/http_status.h"

namespace wsop::providers {
namespace {

Code code_for(int status) {
  if (status == 400 || status == 422) return Code::kInvalid;
  if (status == 401 || status == 403) return Code::kUnauthorized;
  if (status == 404 || status == 410) return Code::kNotFound;
  if (status == 409) return Code::kConflict;
  if (status == 429) return Code::kRateLimited;
  if (status == 402) return Code::kInvalid;  // payment required: not retryable
  return Code::kTransient;
}

std::string describe(const http::ClientResponse& response, const std::string& vendor_message) {
  std::string out = "HTTP " + std::to_string(response.status);
  if (!vendor_message.empty()) out += ": " + vendor_message;
  return out;
}

}  // namespace

Status status_from_response(const http::ClientResponse& response, const std::string& vendor_message,
                            const std::string& action) {
  return Status::error(code_for(response.status),
                       action + " failed: " + describe(response, vendor_message),
                       response.retry_after);
}

Status create_status_from_response(const http::ClientResponse& response,
                                   const std::string& vendor_message) {
  Code code = code_for(response.status);
  // A 4xx other than 408 means the server refused the request as sent; a
  // 5xx, a 408 or anything unexpected may hide a committed create.
  bool refused = response.status >= 400 && response.status < 500 && response.status != 408;
  if (!refused) code = Code::kAmbiguous;
  return Status::error(code, "create failed: " + describe(response, vendor_message),
                       response.retry_after);
}

}  // namespace wsop::providers
