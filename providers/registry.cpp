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

void Registry::add(ProviderDescriptor descriptor) {
  for (ProviderDescriptor& known : descriptors_) {
    if (known.name == descriptor.name) {
      known = std::move(descriptor);
      return;
    }
  }
  descriptors_.push_back(std::move(descriptor));
}

void Registry::add(std::string type, ProviderFactory factory) {
  for (ProviderDescriptor& known : descriptors_) {
    if (known.name == type) {
      known.make = std::move(factory);
      return;
    }
  }
  ProviderDescriptor bare;
  bare.name = std::move(type);
  bare.make = std::move(factory);
  descriptors_.push_back(std::move(bare));
}

const ProviderDescriptor* Registry::find(std::string_view name) const {
  for (const ProviderDescriptor& known : descriptors_) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const ProviderDescriptor& known : descriptors_) out.push_back(known.name);
  return out;
}

std::vector<std::string> local_only_fields(const model::Workspace& workspace,
                                           const Capabilities& can) {
  std::vector<std::string> out;
  bool explicit_display_name = workspace.display_name != workspace.name;
  bool explicit_external_id = workspace.external_id != workspace.ns + "/" + workspace.name;
  if (!can.display_name && explicit_display_name) out.push_back("spec.displayName");
  if (!can.description && workspace.description) out.push_back("spec.description");
  if (!can.labels && !workspace.labels.empty()) out.push_back("metadata.labels");
  if (!can.native_external_id && explicit_external_id) out.push_back("spec.externalId");
  return out;
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
  const ProviderDescriptor* descriptor = find(config.type);
  if (!descriptor || !descriptor->make) {
    return Status::error(Code::kInvalid, std::string("no provider registered for type ") +
                                             model::to_string(config.type));
  }
  auto options = client_options(config, context);
  if (!options) return options.status();
  auto client = http::Client::create(std::move(*options));
  if (!client) return client.status();
  return descriptor->make(config, std::move(*client), context);
}

}  // namespace wsop::providers
