// Small helpers the providers share to build FieldChanges.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace wsop::providers {

inline constexpr const char* kUnset = "<unset>";

inline std::string quoted(const std::optional<std::string>& value) {
  return value ? "\"" + *value + "\"" : kUnset;
}

// Appends a change when desired differs from observed.
template <class T, class Render>
void compare(std::vector<FieldChange>& out, const char* path, const std::optional<T>& observed,
             const T& desired, Render render, bool requires_replacement = false) {
  if (observed && *observed == desired) return;
  out.push_back(
      {path, observed ? render(*observed) : kUnset, render(desired), requires_replacement});
}

inline bool has_change(const std::vector<FieldChange>& changes, const std::string& path) {
  for (const auto& c : changes) {
    if (c.path == path) return true;
  }
  return false;
}

}  // namespace wsop::providers
