// The providers (built by the Registry from a ProviderConfig, as the
// controller builds them) against the in-process provider-sim, over plain
// HTTP and over TLS (issue 4, item 7). Reuses the simulator tests' fixtures.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "providers/aether/aether_provider.h"
#include "providers/aether/aether_spec.h"
#include "providers/cadenya/cadenya_provider.h"
#include "providers/paradigm/paradigm_provider.h"
#include "providers/paradigm/paradigm_spec.h"
#include "providers/registry.h"
#include "sim/core/simulator.h"
#include "tests/common/http/test_client.h"
#include "tests/common/http/tls_files.h"
#include "tests/sim/sim_fixture.h"

namespace wsop::itest {

using nlohmann::json;
using providers::Phase;
using providers::Provider;
using providers::RemoteWorkspace;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

inline constexpr const char* kProject = simtest::kProject;
inline constexpr const char* kInstance = "it-instance";
inline constexpr const char* kTokenVar = "WSOP_IT_TOKEN";
inline constexpr const char* kToken = "it-secret-token-5f3a9c";

enum class Transport { kPlain, kTls };

inline std::string transport_name(const ::testing::TestParamInfo<Transport>& info) {
  return info.param == Transport::kTls ? "Tls" : "Plain";
}

// One certificate for the simulator, and another nobody signed it with.
inline simtest::TlsFiles& sim_cert() {
  static simtest::TlsFiles files;
  return files;
}
inline simtest::TlsFiles& other_cert() {
  static simtest::TlsFiles files;
  return files;
}

inline const char* provider_name(const model::ProviderType& type) {
  return model::to_string(type).c_str();
}

// Workspaces as the manifest loader would produce them.
inline model::Workspace paradigm_ws(const std::string& name, int64_t company = 1) {
  model::Workspace w;
  w.name = name;
  w.provider_config = "paradigm";
  w.external_id = "default/" + name;
  w.display_name = name;
  w.description = "about " + name;
  providers::paradigm::set_spec(w, {company, providers::paradigm::DocumentUploadMethod::kManual});
  return w;
}

inline model::Workspace cadenya_ws(const std::string& name) {
  model::Workspace w;
  w.name = name;
  w.provider_config = "cadenya";
  w.labels = {{"team", "core"}};
  w.external_id = "default/" + name;
  w.display_name = name;
  w.description = "about " + name;
  return w;
}

inline model::Workspace aether_ws(const std::string& name, int cpus = 2) {
  model::Workspace w;
  w.name = name;
  w.provider_config = "aether";
  w.external_id = "default/" + name;
  w.display_name = name;
  model::Hardware hw;
  hw.cpu_kind = "shared";
  hw.cpus = cpus;
  hw.memory_mb = 2048;
  hw.volume_size_gb = 10;
  hw.gpu_kind = std::optional<std::string>();
  w.hardware = hw;
  providers::aether::set_spec(w, {kProject, false, std::nullopt});
  return w;
}

inline const model::ProviderType kParadigm("paradigm");
inline const model::ProviderType kCadenya("cadenya");
inline const model::ProviderType kAether("aether");

// A workspace of the given provider's kind, named `name`.
inline model::Workspace workspace_for(model::ProviderType type, const std::string& name) {
  if (type == kParadigm) return paradigm_ws(name);
  if (type == kCadenya) return cadenya_ws(name);
  if (type == kAether) return aether_ws(name);
  return {};
}

// Polls probe every 20 ms until it holds or limit passes.
inline bool eventually(const std::function<bool()>& probe,
                       milliseconds limit = std::chrono::seconds(5)) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return probe();
}

class IntegrationBase {
 public:
  virtual ~IntegrationBase() = default;

 protected:
  virtual bool tls() const = 0;

  void start_sim(sim::SimConfig config) {
    sim_.reset();
    if (tls()) {
      ASSERT_TRUE(sim_cert().ok());
      config.tls_cert_file = sim_cert().cert_file();
      config.tls_key_file = sim_cert().key_file();
    }
    sim_ = std::make_unique<sim::Simulator>(std::move(config));
    Status s = sim_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    ::setenv(kTokenVar, kToken, 1);
  }

  std::string url(model::ProviderType type) const { return sim_->url(provider_name(type)); }

  // A ProviderConfig for the simulator: token from an environment variable,
  // a generous rate limit, short timeouts, the simulator's CA when TLS.
  model::ProviderConfig config(model::ProviderType type) const {
    model::ProviderConfig c;
    c.name = std::string("it-") + provider_name(type);
    c.type = type;
    c.base_url = url(type);
    c.credentials.env = kTokenVar;
    c.rate_limit = {1000, 1000};
    c.timeouts = {milliseconds(2000), milliseconds(3000)};
    // The simulator's default token belongs to company 1.
    if (type == model::ProviderType("paradigm")) {
      providers::paradigm::ConfigSpec spec;
      spec.company_id = 1;
      providers::paradigm::set_config_spec(c, spec);
    }
    if (tls()) c.tls.ca_file = sim_cert().cert_file();
    return c;
  }

  std::unique_ptr<Provider> make(const model::ProviderConfig& c) {
    auto made = providers::Registry::builtin().make(c, {kInstance, nullptr});
    EXPECT_TRUE(made.is_ok()) << made.status().to_string();
    return made ? std::move(*made) : nullptr;
  }
  std::unique_ptr<Provider> make(model::ProviderType type) { return make(config(type)); }

  // Made through a copy of the builtin registry whose factory keeps the
  // client's rate limiter, so a test can watch it.
  std::unique_ptr<Provider> make_watching(const model::ProviderConfig& c,
                                          std::shared_ptr<http::RateLimiter>& limiter) {
    providers::Registry registry = providers::Registry::builtin();
    registry.add(model::to_string(c.type),
                 [&limiter](const model::ProviderConfig& cfg, std::unique_ptr<http::Client> client,
                            const providers::ProviderContext& context) {
                   limiter = client->options().rate_limiter;
                   return make_builtin(cfg, std::move(client), context);
                 });
    auto made = registry.make(c, {kInstance, nullptr});
    EXPECT_TRUE(made.is_ok()) << made.status().to_string();
    return made ? std::move(*made) : nullptr;
  }

  static Outcome<std::unique_ptr<Provider>> make_builtin(const model::ProviderConfig& c,
                                                         std::unique_ptr<http::Client> client,
                                                         const providers::ProviderContext& ctx) {
    const providers::ProviderDescriptor* type = providers::Registry::builtin().find(c.type);
    if (!type) return Status::error(Code::kInternal, "unknown type");
    return type->make(c, std::move(client), ctx);
  }

  // The simulator's admin API (never subject to faults or auth).
  simtest::Client admin(model::ProviderType type) { return simtest::Client(url(type)); }

  json stats(model::ProviderType type) { return admin(type).get("/_sim/stats").json(); }

  // Calls of an operation with an outcome ("201", "dropped"...), or all.
  int64_t calls(model::ProviderType type, const std::string& op, const std::string& outcome = "") {
    json s = stats(type);
    if (!s["calls"].contains(op)) return 0;
    if (!outcome.empty()) return s["calls"][op].value(outcome, int64_t{0});
    int64_t n = 0;
    for (const auto& [k, v] : s["calls"][op].items()) n += v.get<int64_t>();
    return n;
  }
  int64_t total_calls(model::ProviderType type) { return stats(type).value("total", int64_t{0}); }

  json state(model::ProviderType type) { return admin(type).get("/_sim/state").json(); }

  void set_faults(model::ProviderType type, const json& faults) {
    simtest::Reply r = admin(type).put("/_sim/faults", faults);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Clears every fault of a provider once `op` has seen `failures` answers
  // other than 2xx (or non-answers): the failures happened, later retries
  // must succeed.
  class Healer {
   public:
    Healer(sim::Service* service, std::string op, int failures)
        : thread_([this, service, op, failures] {
            while (!done_) {
              json s = service->stats().to_json();
              int64_t bad = 0;
              if (s["calls"].contains(op)) {
                for (const auto& [k, v] : s["calls"][op].items()) {
                  if (k[0] != '2') bad += v.get<int64_t>();
                }
              }
              if (bad >= failures) {
                service->faults().set(sim::Faults{});
                return;
              }
              std::this_thread::sleep_for(milliseconds(1));
            }
          }) {}
    ~Healer() {
      done_ = true;
      thread_.join();
    }

   private:
    std::atomic<bool> done_{false};
    std::thread thread_;
  };

  std::unique_ptr<Healer> heal_after(model::ProviderType type, const std::string& op,
                                     int failures) {
    return std::make_unique<Healer>(sim_->service(provider_name(type)), op, failures);
  }

  std::unique_ptr<sim::Simulator> sim_;
};

// Parameterized over the transport: every test runs over HTTP and HTTPS.
class IntegrationTest : public ::testing::TestWithParam<Transport>, public IntegrationBase {
 protected:
  void SetUp() override { start_sim(simtest::test_config()); }
  bool tls() const override { return GetParam() == Transport::kTls; }
};

// Plain HTTP only, for tests whose point is not the transport.
class PlainIntegrationTest : public ::testing::Test, public IntegrationBase {
 protected:
  void SetUp() override { start_sim(simtest::test_config()); }
  bool tls() const override { return false; }
};

// TLS only.
class TlsIntegrationTest : public ::testing::Test, public IntegrationBase {
 protected:
  void SetUp() override { start_sim(simtest::test_config()); }
  bool tls() const override { return true; }
};

// Message of a failed outcome, for assertions.
template <class T>
std::string why(const Outcome<T>& o) {
  return o.status().to_string();
}

}  // namespace wsop::itest
