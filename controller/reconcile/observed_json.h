// A RemoteWorkspace as the JSON the state store keeps in observed_json (and
// `wsctl get -o json` shows). Round-trips every field, the provider's own
// (RemoteWorkspace::vendor_fields) as keys beside the neutral ones.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "providers/provider.h"

namespace wsop::reconcile {

nlohmann::json to_json(const providers::RemoteWorkspace& remote);
std::optional<providers::RemoteWorkspace> remote_from_json(const std::string& text);

}  // namespace wsop::reconcile
