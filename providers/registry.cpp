#include "providers/registry.h"

#include <spdlog/spdlog.h>

namespace wsop::providers {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::kReady: return "Ready";
    case Phase::kProvisioning: return "Provisioning";
    case Phase::kFailed: return "Failed";
    case Phase::kStopped: return "Stopped";
    case Phase::kGone: return "Gone";
  }
  return "Unknown";
}

void Registry::add(std::string type, ProviderFactory factory) {
  factories_[std::move(type)] = std::move(factory);
}

Outcome<http::ClientOptions> client_options(const model::ProviderConfig& config,
                                            const ProviderContext& context,
                                            const http::Getenv& getenv) {
  // A Secret is read through the Kubernetes API, which the file and git
  // modes never talk to: the loader accepts secretRef (manifests meant for
  // a cluster validate anywhere) and this refuses to build a client on it
  // unless the kubernetes mode gave a reader. A Secret missing or lacking
  // its key is found at the first request instead (kUnauthorized from the
  // token source, as an unset variable), so a later fix needs no rebuild.
  if (config.credentials.secret_ref && !context.secrets) {
    return Status::error(Code::kInvalid, http::kSecretRefNeedsKubernetes)
        .with_context("ProviderConfig " + config.name);
  }
  // Nothing is sent with a credential the operator did not allow: the
  // loader reports it with its position, this guards every other way in.
  if (Status allowed = context.credentials.check(config.credentials); !allowed.is_ok()) {
    return allowed.with_context("ProviderConfig " + config.name);
  }
  auto url = http::parse_url(config.base_url);
  if (!url) return url.status().with_context("ProviderConfig " + config.name + " baseUrl");
  auto proxy = http::choose_proxy(*url, config.proxy.url, config.proxy.none, getenv);
  if (!proxy) return proxy.status().with_context("ProviderConfig " + config.name);
  if (proxy->proxy) {
    // display() hides the credentials.
    spdlog::info("ProviderConfig {}: requests to {} go through proxy {} (from {})", config.name,
                 url->origin(), proxy->proxy->display(), proxy->source);
  } else if (!proxy->source.empty()) {
    spdlog::info("ProviderConfig {}: requests to {} go direct, no proxy (from {})", config.name,
                 url->origin(), proxy->source);
  }
  http::ClientOptions options;
  options.proxy = std::move(proxy->proxy);
  options.provider = config.name;
  options.url = *url;
  options.tls = {config.tls.ca_file, config.tls.insecure_skip_verify};
  options.deadlines = {config.timeouts.connect, config.timeouts.request};
  options.token =
      std::make_shared<http::TokenSource>(config.credentials, context.credentials, context.secrets);
  options.rate_limiter =
      std::make_shared<http::RateLimiter>(config.rate_limit.qps, config.rate_limit.burst);
  options.observer = context.observer;
  options.cutoff = context.cutoff;
  if (config.tls.insecure_skip_verify && url->tls) {
    spdlog::warn("ProviderConfig {}: TLS certificate verification is disabled (insecureSkipVerify)",
                 config.name);
  }
  return options;
}

Outcome<std::unique_ptr<Provider>> Registry::make(const model::ProviderConfig& config,
                                                  const ProviderContext& context) const {
  auto it = factories_.find(model::to_string(config.type));
  if (it == factories_.end()) {
    return Status::error(Code::kInvalid, std::string("no provider registered for type ") +
                                             model::to_string(config.type));
  }
  auto options = client_options(config, context);
  if (!options) return options.status();
  auto client = http::Client::create(std::move(*options));
  if (!client) return client.status();
  return it->second(config, std::move(*client), context);
}

}  // namespace wsop::providers
