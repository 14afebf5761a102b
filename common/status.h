// The one error type of every layer (LevelDB's Status, with categories a
// caller can act on). Exceptions never cross a module boundary: a module
// catches what its libraries throw and returns a Status instead.
//
// A Status message is for people. It never contains a token: code that builds
// a message from request data must not copy an Authorization header into it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wsop {

enum class Code {
  kOk,
  kNotFound,      // the thing does not exist (or is not visible)
  kInvalid,       // the request or input is wrong; retrying will not help
  kConflict,      // it exists already, or the state disagrees with the request
  kUnauthorized,  // missing, wrong or insufficient credentials
  kForbidden,     // authenticated, but not allowed to do this: permanent until rights change
  kRateLimited,   // slow down; retry_after may say for how long
  kTransient,     // a failure that may go away on retry (5xx, reset, timeout)
  kAmbiguous,     // a write may or may not have happened; never retry blindly
  kInternal,      // a bug or an unexpected local failure
};

std::string_view code_name(Code code);

// [[nodiscard]]: every function returning a Status is covered, so a dropped
// result is a compile error (-Werror). Where ignoring one is right, the call
// site writes (void) with a comment saying why.
class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status ok() { return Status(); }
  static Status error(Code code, std::string message,
                      std::optional<std::chrono::milliseconds> retry_after = {}) {
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    s.retry_after_ = retry_after;
    return s;
  }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }

  // True for categories that a later attempt of the same idempotent request
  // may fix.
  bool is_retryable() const { return code_ == Code::kTransient || code_ == Code::kRateLimited; }

  // "NotFound: message", for logs and errors.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with context ("create: ...").
  Status with_context(std::string_view context) const;

  // A machine-readable reason finer than the code, for callers that must
  // tell cases of one code apart: the Kubernetes client (kube/errors.h)
  // sets metav1 Status reasons ("AlreadyExists" vs "Conflict", "Expired").
  // Empty when none; with_context() keeps it.
  const std::string& reason() const { return reason_; }
  Status with_reason(std::string reason) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::optional<std::chrono::milliseconds> retry_after_;
  std::string reason_;
};

// A value of type T, or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
  Outcome(Status status) : data_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }

  // Precondition: is_ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error; Status::ok() when a value is held.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace wsop
