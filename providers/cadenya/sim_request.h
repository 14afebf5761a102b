// Decoding and validation of the simulated Cadenya API's requests. Each
// function returns an error message (answered as gRPC code 3,
// INVALID_ARGUMENT) or nullopt. Internal to providers/cadenya/sim*.cpp.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wsop::cadenya::simdetail {

using Labels = std::map<std::string, std::string>;
using Error = std::optional<std::string>;

// The user-settable fields of a create or update body; absent fields unset.
struct Fields {
  std::optional<std::string> name;
  std::optional<std::string> external_id;
  std::optional<Labels> labels;
  std::optional<std::string> description;
};

// Reads {metadata{name, externalId, labels}, spec{description}}, checking
// types and label rules; metadata.name must be a non-empty string.
Error read_fields(const nlohmann::json& body, Fields* out);

// The paths of an updateMask ("metadata.labels,spec.description"); an
// unknown path is an error.
Error read_update_mask(const std::string& mask, std::set<std::string>* paths);

// A label filter "k=v,k2=v2".
Error read_label_filter(const std::string& filter,
                        std::vector<std::pair<std::string, std::string>>* out);

// Kubernetes label syntax: key [prefix/]name, name and value at most 63
// characters of alphanumerics with '-', '_', '.' inside, prefix a DNS
// subdomain of at most 253 characters.
Error check_label(const std::string& key, const std::string& value);

}  // namespace wsop::cadenya::simdetail
