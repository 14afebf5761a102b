#include "kube/errors.h"

#include <nlohmann/json.hpp>

namespace wsop::kube {
namespace {

constexpr std::size_t kMaxQuoted = 512;

Code code_for(int http_status) {
  switch (http_status) {
    case 401: return Code::kUnauthorized;
    case 403: return Code::kForbidden;
    case 404: return Code::kNotFound;
    case 409:
    case 410: return Code::kConflict;
    case 429: return Code::kRateLimited;
    default: return http_status >= 500 ? Code::kTransient : Code::kInvalid;
  }
}

std::string default_reason(int http_status) {
  switch (http_status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 409: return std::string(kReasonConflict);
    case 410: return std::string(kReasonGone);
    case 422: return std::string(kReasonInvalid);
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

// Printable ASCII, bounded: a body quoted into a message.
std::string quotable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxQuoted)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  if (text.size() > kMaxQuoted) out += "...";
  return out;
}

Status from_parts(int http_status, const nlohmann::json& status_object, std::string_view raw,
                  std::optional<std::chrono::milliseconds> retry_after, std::string_view what) {
  std::string reason = default_reason(http_status);
  std::string message;
  if (status_object.is_object()) {
    if (auto r = status_object.find("reason"); r != status_object.end() && r->is_string()) {
      if (!r->get<std::string>().empty()) reason = r->get<std::string>();
    }
    if (auto m = status_object.find("message"); m != status_object.end() && m->is_string()) {
      message = quotable(m->get<std::string>());
    }
  } else {
    message = quotable(raw);
  }
  // A 409's reason tells create's AlreadyExists from a stale write's Conflict.
  if (http_status == 409 && reason != kReasonAlreadyExists) reason = kReasonConflict;
  if (http_status == 410 && reason != kReasonExpired) reason = kReasonGone;
  std::string text = std::string(what) + ": " + std::to_string(http_status) +
                     (reason.empty() ? "" : " " + reason) + (message.empty() ? "" : ": " + message);
  return Status::error(code_for(http_status), std::move(text), retry_after).with_reason(reason);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header) {
  if (header.empty() || header.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : header) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

Status status_from_answer(int http_status, std::string_view body, std::string_view retry_after,
                          std::string_view what) {
  if (http_status / 100 == 2) return Status::ok();
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  std::optional<std::chrono::milliseconds> wait;
  if (http_status == 429 || http_status >= 500) wait = parse_retry_after(retry_after);
  return from_parts(http_status, parsed.is_discarded() ? nlohmann::json() : parsed, body, wait,
                    what);
}

Status status_from_watch_error(std::string_view object_json, std::string_view what) {
  nlohmann::json parsed = nlohmann::json::parse(object_json, nullptr, false);
  int code = 500;
  if (parsed.is_object()) {
    if (auto c = parsed.find("code"); c != parsed.end() && c->is_number_integer()) {
      code = c->get<int>();
    }
  }
  if (code / 100 == 2 || code < 100 || code > 599) code = 500;
  return from_parts(code, parsed.is_discarded() ? nlohmann::json() : parsed, object_json,
                    std::nullopt, what);
}

bool is_not_found(const Status& status) {
  return status.code() == Code::kNotFound;
}
bool is_already_exists(const Status& status) {
  return status.code() == Code::kConflict && status.reason() == kReasonAlreadyExists;
}
bool is_conflict(const Status& status) {
  return status.code() == Code::kConflict && status.reason() == kReasonConflict;
}
bool is_gone(const Status& status) {
  return status.code() == Code::kConflict &&
         (status.reason() == kReasonGone || status.reason() == kReasonExpired);
}
bool is_invalid(const Status& status) {
  return status.code() == Code::kInvalid;
}
bool is_canceled(const Status& status) {
  return status.reason() == kReasonCanceled;
}

}  // namespace wsop::kube
