// The simulated provider APIs of a configuration (config.h), each built by
// its registered descriptor (registry.h) and served by its own HTTP server on
// its own port (ARCHITECTURE.md section 9). Used by cmd/provider-sim, the
// tests and the benchmark.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/server.h"
#include "common/status.h"
#include "sim/core/config.h"
#include "sim/core/service.h"

namespace wsop::sim {

class Simulator {
 public:
  explicit Simulator(SimConfig config);
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Starts every server; on failure none keeps running.
  Status start();
  void stop();

  // "http://127.0.0.1:P" of a simulator by its name, "paradigm" say (after
  // start()); "" when unknown.
  std::string url(std::string_view provider) const;
  // {"paradigm":"http://127.0.0.1:P","cadenya":"...",...}: the line
  // provider-sim prints, in the registry's order.
  std::string endpoints_json() const;
  // The service of a provider, for in-process tests; nullptr when unknown.
  Service* service(std::string_view provider);

 private:
  struct Served {
    std::string provider;
    std::unique_ptr<Service> service;
    std::unique_ptr<http::Server> server;
  };
  const Served* find(std::string_view provider) const;

  SimConfig config_;
  std::vector<Served> served_;
};

}  // namespace wsop::sim
