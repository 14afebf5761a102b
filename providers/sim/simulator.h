// The three simulated provider APIs, each served by its own HTTP server on
// its own port (ARCHITECTURE.md section 9). Used by cmd/provider-sim, the
// tests and the benchmark.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/server.h"
#include "common/status.h"
#include "providers/sim/config.h"
#include "providers/sim/service.h"

namespace wsop::sim {

class Simulator {
 public:
  explicit Simulator(SimConfig config);
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Starts the three servers; on failure none keeps running.
  Status start();
  void stop();

  // "http://127.0.0.1:P" of "paradigm", "cadenya" or "aether" (after start()).
  std::string url(std::string_view provider) const;
  // {"paradigm":"http://127.0.0.1:P","cadenya":"...","aether":"..."}: the
  // line provider-sim prints.
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
