#include "tests/extension/sim/nimbus/nimbus_sim.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "sim/core/config.h"
#include "sim/core/ids.h"
#include "sim/core/routes.h"

namespace wsop::sim::nimbus {
namespace {

using nlohmann::json;

// Every endpoint in one table (sim/core/routes.h).
constexpr Endpoint kCreate{"POST", "/v2/workspaces", "create"};
constexpr Endpoint kList{"GET", "/v2/workspaces", "list"};
constexpr Endpoint kGet{"GET", "/v2/workspaces/{id}", "get"};
constexpr Endpoint kUpdate{"PATCH", "/v2/workspaces/{id}", "update"};
constexpr Endpoint kDelete{"DELETE", "/v2/workspaces/{id}", "delete"};

http::Response nimbus_error(int status, std::string_view message) {
  return sim::json_response(status, {{"error", {{"message", message}}}});
}

// A string field of body: absent is fine unless required; another type is not.
std::optional<std::string> text_field(const json& body, const char* key, bool required,
                                      std::string* problem) {
  if (!body.contains(key) || body.at(key).is_null()) {
    if (required) *problem = std::string(key) + " is required";
    return std::nullopt;
  }
  if (!body.at(key).is_string() || body.at(key).get<std::string>().empty()) {
    *problem = std::string(key) + ": expected a non-empty string";
    return std::nullopt;
  }
  return body.at(key).get<std::string>();
}

bool known_tier(const std::string& tier) {
  return tier == "standard" || tier == "premium";
}

struct StoredWorkspace {
  json fields;  // id, name, externalId, region, tier, createdAt
  bool deleted = false;
};

class NimbusSim : public sim::Api {
 public:
  NimbusSim(sim::AuthConfig auth, SimOptions options)
      : options_(options),
        routes_({std::move(auth),
                 /*admin_only=*/false,
                 [](Caller) { return nimbus_error(401, "a valid bearer token is required"); },
                 {},
                 {"application/json"},
                 [](const http::Request&) {
                   return nimbus_error(415, "the body must be application/json");
                 }}) {
    routes_.add(kCreate, this, &NimbusSim::create);
    routes_.add(kList, this, &NimbusSim::list);
    routes_.add(kGet, this, &NimbusSim::get);
    routes_.add(kUpdate, this, &NimbusSim::update);
    routes_.add(kDelete, this, &NimbusSim::remove);
  }

  std::string_view provider() const override { return "nimbus"; }
  const http::Router& router() const override { return routes_.router(); }
  http::Response error(int status, std::string_view message) const override {
    return nimbus_error(status, message);
  }

  json state() const override {
    std::lock_guard lock(mu_);
    json items = json::array();
    for (const auto& [number, w] : workspaces_) {
      json item = w.fields;
      item["deleted"] = w.deleted;
      items.push_back(std::move(item));
    }
    return {{"workspaces", std::move(items)}};
  }

  void reset() override {
    std::lock_guard lock(mu_);
    workspaces_.clear();
    next_number_ = 1;
  }

 private:
  http::Response create(const http::Request& request, const http::PathParams&) {
    std::optional<json> body = sim::parse_json(request.body, nullptr);
    if (!body || !body->is_object()) return nimbus_error(400, "the body is not a JSON object");
    std::string problem;
    auto name = text_field(*body, "name", true, &problem);
    auto external_id = text_field(*body, "externalId", false, &problem);
    auto region = text_field(*body, "region", true, &problem);
    auto tier = text_field(*body, "tier", false, &problem);
    if (tier && !known_tier(*tier)) problem = "tier: expected standard or premium";
    if (!problem.empty()) return nimbus_error(400, problem);
    std::lock_guard lock(mu_);
    uint64_t number = next_number_++;
    json fields = {{"id", "nb-" + std::to_string(number)},
                   {"name", *name},
                   {"externalId", external_id.value_or("")},
                   {"region", *region},
                   {"tier", tier.value_or("standard")},
                   {"createdAt", sim::format_time(std::chrono::system_clock::now(), 3)}};
    workspaces_[number] = {fields, false};
    return sim::json_response(201, fields);
  }

  http::Response list(const http::Request& request, const http::PathParams&) {
    uint64_t page = 0;
    if (auto text = request.query_param("page")) {
      char* end = nullptr;
      page = std::strtoull(text->c_str(), &end, 10);
      if (text->empty() || *end != '\0') return nimbus_error(400, "page: expected a number");
    }
    std::lock_guard lock(mu_);
    json items = json::array();
    uint64_t index = 0;
    const uint64_t first = page * static_cast<uint64_t>(options_.page_size);
    bool more = false;
    for (const auto& [number, w] : workspaces_) {
      if (w.deleted) continue;
      if (index >= first + options_.page_size) {
        more = true;
        break;
      }
      if (index++ >= first) items.push_back(w.fields);
    }
    return sim::json_response(
        200, {{"workspaces", std::move(items)}, {"nextPage", more ? json(page + 1) : json()}});
  }

  http::Response get(const http::Request&, const http::PathParams& params) {
    std::lock_guard lock(mu_);
    StoredWorkspace* w = find(params.get("id"));
    if (!w) return nimbus_error(404, "no workspace " + params.get("id"));
    return sim::json_response(200, w->fields);
  }

  http::Response update(const http::Request& request, const http::PathParams& params) {
    std::optional<json> body = sim::parse_json(request.body, nullptr);
    if (!body || !body->is_object()) return nimbus_error(400, "the body is not a JSON object");
    if (body->contains("region")) return nimbus_error(400, "region is immutable");
    std::string problem;
    auto name = text_field(*body, "name", false, &problem);
    auto external_id = text_field(*body, "externalId", false, &problem);
    auto tier = text_field(*body, "tier", false, &problem);
    if (tier && !known_tier(*tier)) problem = "tier: expected standard or premium";
    if (!problem.empty()) return nimbus_error(400, problem);
    std::lock_guard lock(mu_);
    StoredWorkspace* w = find(params.get("id"));
    if (!w) return nimbus_error(404, "no workspace " + params.get("id"));
    if (name) w->fields["name"] = *name;
    if (external_id) w->fields["externalId"] = *external_id;
    if (tier) w->fields["tier"] = *tier;
    return sim::json_response(200, w->fields);
  }

  http::Response remove(const http::Request&, const http::PathParams& params) {
    std::lock_guard lock(mu_);
    StoredWorkspace* w = find(params.get("id"));
    if (!w) return nimbus_error(404, "no workspace " + params.get("id"));
    w->deleted = true;
    return sim::empty_response(204);
  }

  // The live workspace of an "nb-<n>" id; requires mu_.
  StoredWorkspace* find(const std::string& id) {
    if (id.rfind("nb-", 0) != 0) return nullptr;
    auto it = workspaces_.find(std::strtoull(id.c_str() + 3, nullptr, 10));
    if (it == workspaces_.end() || it->second.deleted || it->second.fields["id"] != id) {
      return nullptr;
    }
    return &it->second;
  }

  const SimOptions options_;
  sim::Routes routes_;
  mutable std::mutex mu_;
  std::map<uint64_t, StoredWorkspace> workspaces_;  // guarded by mu_; by creation
  uint64_t next_number_ = 1;                        // guarded by mu_
};

}  // namespace

std::unique_ptr<sim::Api> make_simulator(sim::AuthConfig auth, SimOptions options) {
  return std::make_unique<NimbusSim>(std::move(auth), options);
}

SimulatorDescriptor descriptor() {
  SimulatorDescriptor d;
  d.name = "nimbus";
  d.title = "Nimbus";
  d.default_options = [] { return std::any(SimOptions()); };
  d.read_config_key = [](const std::string&, const YAML::Node&, const std::string& path,
                         SimulatorConfig&) {
    return Status::error(Code::kInvalid, path + ": Nimbus has no keys of its own");
  };
  d.make = [](const SimulatorConfig& section) {
    return make_simulator(section.auth, section.options_as<SimOptions>());
  };
  return d;
}

}  // namespace wsop::sim::nimbus
