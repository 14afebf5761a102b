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

std::string vendor_message(const std::string& body);  // {"error": "..."}
RemoteWorkspace from_json(const Json& json);
Json hardware_json(const model::Hardware& hw);
Json create_body(const model::Workspace& desired);
// True when `have` has every hardware field that `sent` sets, with the same
// value. A field the create left out took the account's default, which
// need not be the documented one (seed 003: an omitted hardware "uses your
// default hardware settings"), so it says nothing about the workspace.
bool has_sent_hardware(const model::Hardware& have, const model::Hardware& sent);

}  // namespace wsop::providers::aether
