// Request validation of the simulated Paradigm API, with Django REST
// Framework's messages. Internal to sim/paradigm/*.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace wsop::sim::paradigm::internal {

struct CreateFields {
  std::string name;
  std::string description;
  std::string workspace_type = "custom";
  std::string document_upload_method = "manual";
  std::int64_t company_id = 0;
};

struct UpdateFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
};

// Each returns DRF field errors ({"name": ["This field is required."]}), or
// an empty object when the body is valid and *out is filled.
nlohmann::json validate_create(const nlohmann::json& body,
                               const std::function<bool(std::int64_t)>& company_exists,
                               CreateFields* out);
nlohmann::json validate_update(const nlohmann::json& body, UpdateFields* out);

// An integer as DRF's IntegerField reads it: a JSON integer or a string of digits.
std::optional<std::int64_t> read_integer(const nlohmann::json& value);
std::optional<std::int64_t> parse_integer(const std::string& text);

}  // namespace wsop::sim::paradigm::internal
