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
  if (!vendor_message.empty()) out += ": " + printable_excerpt(vendor_message);
  return out;
}

}  // namespace

std::string printable_excerpt(std::string_view text, size_t max_bytes) {
  bool cut = text.size() > max_bytes;
  if (cut) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
    text = text.substr(0, end);
  }
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return cut ? out + "..." : out;
}

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
