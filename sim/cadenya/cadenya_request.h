// Decoding and validation of the simulated Cadenya API's requests. Each
// function returns an error message (answered as gRPC code 3,
// INVALID_ARGUMENT) or nullopt. Internal to sim/cadenya/*.cpp.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wsop::sim::cadenya::internal {

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
// types; metadata.name must be a non-empty string. Labels are arbitrary
// string pairs (seed 002).
Error read_fields(const nlohmann::json& body, Fields* out);

// The paths of an updateMask ("metadata.labels,spec.description"); an
// unknown path is an error.
Error read_update_mask(const std::string& mask, std::set<std::string>* paths);

// A label filter "k=v,k2=v2".
Error read_label_filter(const std::string& filter,
                        std::vector<std::pair<std::string, std::string>>* out);

}  // namespace wsop::sim::cadenya::internal
