#include "sim/paradigm/paradigm_validate.h"

#include <charconv>
#include <string_view>

#include "common/text.h"

namespace wsop::sim::paradigm::internal {
namespace {

// name's maxLength (seed 000 line 70), counted as Django counts a str: in
// code points, not bytes.
constexpr std::size_t kMaxNameLength = 100;
const char* kRequired = "This field is required.";
const char* kNull = "This field may not be null.";
const char* kBlank = "This field may not be blank.";

// DRF's CharField trims with str.strip() (paradigm.md, "DRF trims strings"):
// Unicode whitespace such as U+00A0 goes too, as common/text.h trims.
std::string trim(std::string_view text) {
  return std::string(trim_whitespace(text));
}

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// DRF's CharField: strings and numbers are accepted, surrounding space trimmed.
std::optional<std::string> read_string(const nlohmann::json& value) {
  if (value.is_string()) return trim(value.get<std::string>());
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

void add(nlohmann::json& errors, const char* field, const std::string& message) {
  errors[field].push_back(message);
}

void check_name(const nlohmann::json& body, bool required, nlohmann::json& errors,
                std::optional<std::string>* out) {
  if (!body.contains("name")) {
    if (required) add(errors, "name", kRequired);
    return;
  }
  const auto& value = body["name"];
  if (value.is_null()) return add(errors, "name", kNull);
  std::optional<std::string> name = read_string(value);
  if (!name) return add(errors, "name", "Not a valid string.");
  if (name->empty()) return add(errors, "name", kBlank);
  if (code_points(*name) > kMaxNameLength) {
    return add(errors, "name", "Ensure this field has no more than 100 characters.");
  }
  *out = std::move(name);
}

// description: a string with default "" (seed 000 lines 71-73, not
// nullable), so a create's null is a field error; on PATCH an empty or null
// description clears it (paradigm.md, "Endpoints").
void check_description(const nlohmann::json& body, bool allow_null, nlohmann::json& errors,
                       std::optional<std::string>* out) {
  if (!body.contains("description")) return;
  const auto& value = body["description"];
  if (value.is_null()) {
    if (!allow_null) return add(errors, "description", kNull);
    *out = "";
    return;
  }
  std::optional<std::string> text = read_string(value);
  if (!text) return add(errors, "description", "Not a valid string.");
  *out = std::move(text);
}

void check_choice(const nlohmann::json& body, const char* field,
                  std::initializer_list<const char*> choices, nlohmann::json& errors,
                  std::string* out) {
  if (!body.contains(field)) return;
  const auto& value = body[field];
  if (value.is_null()) return add(errors, field, kNull);
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  for (const char* choice : choices) {
    if (text == choice) {
      *out = text;
      return;
    }
  }
  add(errors, field, "\"" + text + "\" is not a valid choice.");
}

void check_company(const nlohmann::json& body,
                   const std::function<bool(std::int64_t)>& company_exists, nlohmann::json& errors,
                   std::int64_t* out) {
  if (!body.contains("company_id")) return add(errors, "company_id", kRequired);
  const auto& value = body["company_id"];
  if (value.is_null()) return add(errors, "company_id", kNull);
  std::optional<std::int64_t> id = read_integer(value);
  if (!id) return add(errors, "company_id", "A valid integer is required.");
  if (!company_exists(*id)) {
    return add(errors, "company_id",
               "Invalid pk \"" + std::to_string(*id) + "\" - object does not exist.");
  }
  *out = *id;
}

nlohmann::json not_an_object(const nlohmann::json& body) {
  std::string type = body.is_array() ? "list" : body.is_string() ? "str" : body.type_name();
  return {{"non_field_errors", {"Invalid data. Expected a dictionary, but got " + type + "."}}};
}

}  // namespace

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> read_integer(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) return parse_integer(trim(value.get<std::string>()));
  return std::nullopt;
}

nlohmann::json validate_create(const nlohmann::json& body,
                               const std::function<bool(std::int64_t)>& company_exists,
                               CreateFields* out) {
  if (!body.is_object()) return not_an_object(body);
  nlohmann::json errors = nlohmann::json::object();
  std::optional<std::string> name, description;
  check_name(body, /*required=*/true, errors, &name);
  check_description(body, /*allow_null=*/false, errors, &description);
  check_choice(body, "workspace_type", {"custom"}, errors, &out->workspace_type);
  check_choice(body, "document_upload_method", {"manual", "synced"}, errors,
               &out->document_upload_method);
  check_company(body, company_exists, errors, &out->company_id);
  if (name) out->name = *name;
  if (description) out->description = *description;
  return errors;
}

nlohmann::json validate_update(const nlohmann::json& body, UpdateFields* out) {
  if (!body.is_object()) return not_an_object(body);
  nlohmann::json errors = nlohmann::json::object();
  check_name(body, /*required=*/false, errors, &out->name);
  check_description(body, /*allow_null=*/true, errors, &out->description);
  return errors;
}

}  // namespace wsop::sim::paradigm::internal
