// Paradigm's JSON shapes and paths, apart from the provider's control flow
// (docs/PROVIDERS.md, Paradigm).
#pragma once

#include <string>

#include "providers/http/url.h"
#include "providers/provider.h"
#include "providers/support/json_fields.h"

namespace wsop::providers::paradigm {

// Every vendor path in one place (paradigm.md, "Endpoints").
struct Paths {
  static constexpr const char* kCreate = "/api/v3/instance/workspaces";
  static std::string get(const std::string& id) {
    return "/api/v3/workspaces/" + http::url_encode(id);
  }
  static std::string update(const std::string& id) {
    return "/api/v3/instance/workspaces/" + http::url_encode(id);
  }
  static std::string remove(const std::string& id) { return get(id); }
  static std::string list(const std::string& name) {
    std::string path = "/api/v3/company/workspaces?page_size=100";
    if (!name.empty()) path += "&name=" + http::url_encode(name);
    return path;
  }
};

// {"detail": "..."} or DRF field errors {"name": ["..."]}, as one line.
std::string vendor_message(const std::string& body);

RemoteWorkspace from_json(const Json& json);

// The name and description as the server stores them: Django REST framework
// trims both (paradigm.md, traps), so a manifest's block scalar with a
// trailing newline must compare equal to what the server kept.
std::string sent_name(const model::Workspace& desired);
std::string sent_description(const model::Workspace& desired);

Json create_body(const model::Workspace& desired);

}  // namespace wsop::providers::paradigm
