// The simulator registry (sim/core/registry.h): a simulator registered
// beside the built-in ones, in a test build only, is served, configured and
// checked through its descriptor alone: nothing of sim/core or provider-sim
// names it. Its endpoints go through the shared route scaffolding
// (sim/core/routes.h), in the order the built-in simulators rely on.
#include <gtest/gtest.h>

#include <mutex>

#include "sim/core/api.h"
#include "sim/core/config.h"
#include "sim/core/config_fields.h"
#include "sim/core/routes.h"
#include "sim/core/simulator.h"
#include "sim/registry.h"
#include "tests/common/http/test_client.h"

namespace wsop::simtest {
namespace {

using nlohmann::json;

// A fourth simulated API: GET /v1/greeting answers the configured greeting;
// only the token "admin" may PUT it, and only as text/plain.
struct EchoOptions {
  std::string greeting = "hello";
};

constexpr sim::Endpoint kRead{"GET", "/v1/greeting", "get"};
constexpr sim::Endpoint kWrite{"PUT", "/v1/greeting", "update"};

http::Response echo_error(int status, std::string_view message) {
  return sim::json_response(status, {{"problem", message}});
}

class EchoSim : public sim::Api {
 public:
  EchoSim(sim::AuthConfig auth, EchoOptions options)
      : greeting_(std::move(options.greeting)),
        routes_({std::move(auth),
                 /*admin_only=*/false,
                 [](sim::Caller caller) {
                   return echo_error(401, caller == sim::Caller::kAnonymous ? "who" : "no");
                 },
                 [](const sim::Endpoint& endpoint, const http::Request& request,
                    const http::PathParams&) -> std::optional<http::Response> {
                   bool admin = sim::bearer_token(request) == std::optional<std::string>("admin");
                   if (std::string_view(endpoint.operation) == "update" && !admin) {
                     return echo_error(403, "read only");
                   }
                   return std::nullopt;
                 },
                 {"text/plain"},
                 [](const http::Request&) { return echo_error(415, "text only"); }}) {
    routes_.add(kRead, this, &EchoSim::read);
    routes_.add(kWrite, this, &EchoSim::write);
  }

  std::string_view provider() const override { return "echo"; }
  const http::Router& router() const override { return routes_.router(); }
  http::Response error(int status, std::string_view message) const override {
    return echo_error(status, message);
  }
  json state() const override {
    std::lock_guard lock(mu_);
    return {{"greeting", greeting_}};
  }
  void reset() override {}

 private:
  http::Response read(const http::Request&, const http::PathParams&) {
    std::lock_guard lock(mu_);
    return sim::json_response(200, {{"greeting", greeting_}});
  }
  http::Response write(const http::Request& request, const http::PathParams&) {
    std::lock_guard lock(mu_);
    greeting_ = request.body;
    return sim::empty_response(204);
  }

  mutable std::mutex mu_;
  std::string greeting_;  // guarded by mu_
  sim::Routes routes_;
};

sim::SimulatorDescriptor echo_descriptor() {
  sim::SimulatorDescriptor d;
  d.name = "echo";
  d.title = "Echo";
  d.default_options = [] { return std::any(EchoOptions()); };
  d.config_keys = {"greeting"};
  d.read_config_key = [](const std::string&, const YAML::Node& value, const std::string& path,
                         sim::SimulatorConfig& section) {
    return sim::read_config_field(value, path,
                                  &std::any_cast<EchoOptions&>(section.options).greeting);
  };
  d.check = [](const sim::SimulatorConfig& section) {
    if (std::any_cast<const EchoOptions&>(section.options).greeting.empty()) {
      return sim::config_error("echo.greeting", "must not be empty");
    }
    return Status::ok();
  };
  d.make = [](const sim::SimulatorConfig& section) -> std::unique_ptr<sim::Api> {
    return std::make_unique<EchoSim>(section.auth,
                                     std::any_cast<const EchoOptions&>(section.options));
  };
  return d;
}

// The built-in simulators and the echo one, as sim/registry.cpp would list
// them with one more line.
const sim::Registry& registry_with_echo() {
  static const sim::Registry registry = [] {
    sim::Registry r = sim::builtin_simulators();
    r.add(echo_descriptor());
    return r;
  }();
  return registry;
}

TEST(SimRegistryTest, TheBuiltInSimulatorsInTheirOrder) {
  std::vector<std::string> names;
  for (const sim::SimulatorDescriptor& d : sim::builtin_simulators().all()) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"paradigm", "cadenya", "aether"}));
  EXPECT_EQ(sim::builtin_simulators().find("echo"), nullptr);
  EXPECT_FALSE(sim::parse_config("echo: {greeting: hi}", sim::builtin_config()));
}

TEST(SimRegistryTest, ARegisteredSimulatorIsConfiguredServedAndCounted) {
  Outcome<sim::SimConfig> config = sim::parse_config(
      "tokens: [t, admin]\necho: {greeting: bonjour}", sim::default_config(registry_with_echo()));
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(config->at("echo").auth.tokens, (std::set<std::string>{"t", "admin"}));
  sim::Simulator simulator(std::move(*config));
  ASSERT_TRUE(simulator.start().is_ok());

  json endpoints = json::parse(simulator.endpoints_json());
  std::vector<std::string> keys;
  for (const auto& [key, url] : endpoints.items()) keys.push_back(key);
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_EQ(endpoints["echo"], simulator.url("echo"));
  EXPECT_NE(simulator.endpoints_json().find("\"aether\":"), std::string::npos);

  Client echo(simulator.url("echo"), "t");
  Reply read = echo.get("/v1/greeting");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["greeting"], "bonjour");
  EXPECT_EQ(echo.get("/_sim/stats").json()["calls"]["get"]["200"], 1);
  EXPECT_EQ(echo.get("/_sim/state").json()["provider"], "echo");
}

// The token, then the simulator's own check, then the media type: a
// refused caller never learns the body's type was wrong.
TEST(SimRegistryTest, TheSharedRouteChecksRunInOrderWithTheSimulatorsAnswers) {
  sim::SimConfig config = sim::default_config(registry_with_echo());
  config.at("echo").auth.tokens = {"t", "admin"};
  sim::Simulator simulator(std::move(config));
  ASSERT_TRUE(simulator.start().is_ok());
  Client echo(simulator.url("echo"), "");
  const std::vector<std::pair<std::string, std::string>> json_type = {
      {"Content-Type", "application/json"}};
  const std::vector<std::pair<std::string, std::string>> text_type = {
      {"Content-Type", "text/plain"}};

  Reply anonymous = echo.request("PUT", "/v1/greeting", "{}", json_type);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.json()["problem"], "who");
  echo.set_token("stranger");
  EXPECT_EQ(echo.request("PUT", "/v1/greeting", "{}", json_type).json()["problem"], "no");
  echo.set_token("t");
  Reply user = echo.request("PUT", "/v1/greeting", "{}", json_type);
  EXPECT_EQ(user.status, 403);
  EXPECT_EQ(user.json()["problem"], "read only");
  echo.set_token("admin");
  Reply wrong_type = echo.request("PUT", "/v1/greeting", "{}", json_type);
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(wrong_type.json()["problem"], "text only");
  EXPECT_EQ(echo.request("PUT", "/v1/greeting", "salut", text_type).status, 204);
  EXPECT_EQ(echo.get("/v1/greeting").json()["greeting"], "salut");
  EXPECT_EQ(echo.request("DELETE", "/v1/greeting").json()["problem"],
            "Method \"DELETE\" not allowed.");
}

TEST(SimRegistryTest, ADescriptorsCheckRunsAtStart) {
  Outcome<sim::SimConfig> config =
      sim::parse_config("echo: {greeting: ''}", sim::default_config(registry_with_echo()));
  ASSERT_TRUE(config) << config.status().to_string();
  EXPECT_EQ(sim::check_config(*config).message(), "echo.greeting: must not be empty");
  sim::Simulator simulator(std::move(*config));
  EXPECT_FALSE(simulator.start().is_ok());
  EXPECT_FALSE(sim::parse_config("echo: {colour: red}", sim::default_config(registry_with_echo())));
}

}  // namespace
}  // namespace wsop::simtest
