#include "sim/core/simulator.h"

#include <nlohmann/json.hpp>
#include <random>

namespace wsop::sim {

Simulator::Simulator(SimConfig config) : config_(std::move(config)) {
  std::random_device seed;
  auto add = [&](std::unique_ptr<Api> api, const Listen& listen) {
    std::string provider(api->provider());
    auto service = std::make_unique<Service>(std::move(api), listen.faults, seed());
    http::ServerOptions options;
    options.address = listen.address;
    options.port = listen.port;
    options.threads = config_.threads;
    // Benchmarks keep hundreds of keep-alive clients connected at once.
    options.max_connections = 4096;
    options.tls_cert_file = config_.tls_cert_file;
    options.tls_key_file = config_.tls_key_file;
    Service* handler = service.get();
    auto server = std::make_unique<http::Server>(
        options, [handler](const http::Request& request) { return handler->handle(request); });
    served_.push_back({provider, std::move(service), std::move(server)});
  };
  for (const SimulatorConfig& section : config_.simulators) {
    const SimulatorDescriptor* descriptor =
        config_.registry ? config_.registry->find(section.name) : nullptr;
    // An unregistered section fails check_config, and so start().
    if (descriptor) add(descriptor->make(section), section.listen);
  }
}

Simulator::~Simulator() {
  stop();
}

Status Simulator::start() {
  if (Status s = check_config(config_); !s) return s;
  for (Served& s : served_) {
    if (Status status = s.server->start(); !status) {
      stop();
      return status.with_context(s.provider);
    }
  }
  return Status::ok();
}

void Simulator::stop() {
  for (Served& s : served_) s.server->stop();
}

const Simulator::Served* Simulator::find(std::string_view provider) const {
  for (const Served& s : served_) {
    if (s.provider == provider) return &s;
  }
  return nullptr;
}

std::string Simulator::url(std::string_view provider) const {
  const Served* s = find(provider);
  return s ? s->server->url() : "";
}

std::string Simulator::endpoints_json() const {
  // nlohmann sorts keys; keep the registry's order instead.
  std::string out = "{";
  for (const Served& s : served_) {
    if (out.size() > 1) out += ",";
    out += nlohmann::json(s.provider).dump() + ":" + nlohmann::json(s.server->url()).dump();
  }
  return out + "}";
}

Service* Simulator::service(std::string_view provider) {
  const Served* s = find(provider);
  return s ? s->service.get() : nullptr;
}

}  // namespace wsop::sim
