// Aether's JSON shapes and paths, apart from the provider's control flow.
#pragma once

#include <string>

#include "providers/http/url.h"
#include "providers/provider.h"
#include "providers/support/json_fields.h"

namespace wsop::providers::aether {

// Every vendor path in one place; most are inferred (aether.md, "Endpoints").
struct Paths {
  static std::string create(const std::string& project) {
    return "/projects/" + http::url_encode(project) + "/workspaces";
  }
  static std::string one(const std::string& id) { return "/workspaces/" + http::url_encode(id); }
  static constexpr const char* kList = "/workspaces";
  static std::string start(const std::string& id) { return one(id) + "/start"; }
  static std::string stop(const std::string& id) { return one(id) + "/stop"; }
};

// Create defaults (aether.md): what an unset hardware field becomes.
inline constexpr model::CpuKind kDefaultCpuKind = model::CpuKind::kShared;
inline constexpr int kDefaultCpus = 2, kDefaultMemoryMb = 2048, kDefaultVolumeGb = 10;

std::string vendor_message(const std::string& body);  // {"error": "..."}
RemoteWorkspace from_json(const Json& json);
// The hardware a create asks for, with the vendor's defaults filled in.
model::Hardware requested_hardware(const model::Workspace& desired);
Json hardware_json(const model::Hardware& hw);
Json create_body(const model::Workspace& desired);
bool same_hardware(const model::Hardware& a, const model::Hardware& b);

}  // namespace wsop::providers::aether
