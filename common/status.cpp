#include "common/status.h"

namespace wsop {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kInvalid: return "Invalid";
    case Code::kConflict: return "Conflict";
    case Code::kUnauthorized: return "Unauthorized";
    case Code::kForbidden: return "Forbidden";
    case Code::kRateLimited: return "RateLimited";
    case Code::kTransient: return "Transient";
    case Code::kAmbiguous: return "Ambiguous";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string out(code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  Status copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

Status Status::with_reason(std::string reason) const {
  Status copy = *this;
  copy.reason_ = std::move(reason);
  return copy;
}

}  // namespace wsop
