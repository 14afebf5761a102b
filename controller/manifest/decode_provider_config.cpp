// ProviderConfig: ARCHITECTURE.md section 1. Credentials name where a token
// lives (an environment variable, a file or a Secret's key), never the token:
// any field that looks like an inline secret gets an error of its own.
// secretRef decodes in every mode; only the kubernetes mode can read it, and
// the file and git modes refuse it where the token source is made
// (providers/registry.cpp), so a GitOps repository of manifests meant for a
// cluster still validates (wsctl validate warns: validate.cpp).
#include "common/duration.h"
#include "common/text.h"
#include "controller/manifest/decode.h"
#include "controller/manifest/decode_metadata.h"
#include "controller/manifest/reader.h"
#include "controller/manifest/rules.h"
#include "controller/manifest/spec_block_reader.h"
#include "providers/http/proxy.h"
#include "providers/registry.h"

namespace wsop::manifest {
namespace {

constexpr std::string_view kInlineSecretKeys[] = {"token",    "apiKey", "api_key", "bearerToken",
                                                  "password", "secret", "value"};

bool is_inline_secret_key(std::string_view key) {
  for (std::string_view k : kInlineSecretKeys) {
    if (k == key) return true;
  }
  return false;
}

const char* kInlineTokenMessage =
    "inline tokens are not allowed: put the token in an environment variable (credentials.env) "
    "or a file (credentials.file)";

// spec.credentials.secretRef: {namespace, name, key}, all required.
void decode_secret_ref(Reader& reader, const YamlNode& node, model::ProviderConfig& out) {
  const std::string path = "spec.credentials.secretRef";
  if (!reader.object(node, path)) return;
  reader.reject_unknown(node, path, {"namespace", "name", "key"});
  model::SecretKeySelector selector;
  bool complete = true;
  auto field = [&](std::string_view key, std::string (*check)(std::string_view),
                   std::string& into) {
    const std::string field_path = path + "." + std::string(key);
    const YamlNode* value = reader.required(node, path, key);
    auto text = value ? reader.string(*value, field_path) : std::nullopt;
    if (!text) {
      complete = false;
      return;
    }
    if (std::string problem = check(*text); !problem.empty()) {
      reader.error(value->mark, field_path, problem);
    }
    into = *text;
  };
  field("namespace", check_dns1123_label, selector.ns);
  field("name", check_dns1123_subdomain, selector.name);
  field("key", check_secret_key, selector.key);
  if (complete) out.credentials.secret_ref = std::move(selector);
}

// The operator's policy decides which variables and files may be named
// (providers/http/credential_policy.h): a manifest must not choose both a
// secret and the host it goes to.
void decode_credentials(Reader& reader, const YamlNode& spec, const http::CredentialPolicy& policy,
                        model::ProviderConfig& config) {
  model::Credentials& out = config.credentials;
  const YamlNode* node = reader.required(spec, "spec", "credentials");
  if (!node || !reader.object(*node, "spec.credentials")) return;
  for (const auto& entry : node->entries) {
    if (entry.key == "env" || entry.key == "file" || entry.key == "secretRef") continue;
    std::string path = "spec.credentials." + entry.key;
    if (is_inline_secret_key(entry.key)) {
      reader.error(entry.key_mark, path, kInlineTokenMessage);
    } else {
      reader.error(entry.key_mark, path, "unknown field \"" + entry.key + "\"");
    }
  }
  const YamlNode* env = node->find("env");
  const YamlNode* file = node->find("file");
  const YamlNode* secret_ref = node->find("secretRef");
  int set = (env != nullptr) + (file != nullptr) + (secret_ref != nullptr);
  if (set != 1) {
    reader.error(node->mark, "spec.credentials",
                 "exactly one of env, file or secretRef must be set");
  }
  if (secret_ref) decode_secret_ref(reader, *secret_ref, config);
  if (env) {
    if (auto text = reader.string(*env, "spec.credentials.env")) {
      std::string problem = check_env_var_name(*text);
      if (problem.empty()) problem = policy.check_env(*text);
      if (!problem.empty()) reader.error(env->mark, "spec.credentials.env", problem);
      out.env = *text;
    }
  }
  if (file) {
    if (auto text = reader.string(*file, "spec.credentials.file")) {
      if (text->empty()) {
        reader.error(file->mark, "spec.credentials.file", "must not be empty");
      } else if (auto resolved = policy.resolve_file(*text); !resolved) {
        reader.error(file->mark, "spec.credentials.file", resolved.status().message());
      }
      out.file = *text;
    }
  }
}

void decode_rate_limit(Reader& reader, const YamlNode& node, model::RateLimit& out) {
  if (!reader.object(node, "spec.rateLimit")) return;
  reader.reject_unknown(node, "spec.rateLimit", {"qps", "burst"});
  if (const YamlNode* qps = node.find("qps")) {
    if (auto value = reader.positive_number(*qps, "spec.rateLimit.qps")) out.qps = *value;
  }
  if (const YamlNode* burst = node.find("burst")) {
    if (auto value = reader.integer(*burst, "spec.rateLimit.burst", 1, 100000)) {
      out.burst = static_cast<int>(*value);
    }
  }
}

void decode_duration(Reader& reader, const YamlNode& node, const std::string& path,
                     std::chrono::milliseconds& out) {
  if (value_type(node) != ValueType::kString) {
    reader.error(
        node.mark, path,
        std::string("expected a duration such as 5s or 10m, got ") + type_name(value_type(node)));
    return;
  }
  auto text = reader.string(node, path);
  auto duration = parse_duration(*text);
  if (!duration) {
    reader.error(node.mark, path, duration.status().message());
  } else if (duration->count() <= 0) {
    reader.error(node.mark, path, "must be a positive duration such as 5s");
  } else {
    out = *duration;
  }
}

void decode_timeouts(Reader& reader, const YamlNode& node, model::Timeouts& out) {
  if (!reader.object(node, "spec.timeouts")) return;
  reader.reject_unknown(node, "spec.timeouts", {"connect", "request"});
  if (const YamlNode* v = node.find("connect")) {
    decode_duration(reader, *v, "spec.timeouts.connect", out.connect);
  }
  if (const YamlNode* v = node.find("request")) {
    decode_duration(reader, *v, "spec.timeouts.request", out.request);
  }
}

void decode_tls(Reader& reader, const YamlNode& node, model::Tls& out) {
  if (!reader.object(node, "spec.tls")) return;
  reader.reject_unknown(node, "spec.tls", {"caFile", "insecureSkipVerify"});
  if (const YamlNode* v = node.find("caFile")) {
    if (auto text = reader.string(*v, "spec.tls.caFile")) out.ca_file = *text;
  }
  if (const YamlNode* v = node.find("insecureSkipVerify")) {
    if (auto flag = reader.boolean(*v, "spec.tls.insecureSkipVerify")) {
      out.insecure_skip_verify = *flag;
    }
  }
}

// spec.proxy: {url: http://[user:password@]host[:port]} or {none: true}.
// A message never quotes the URL: it may hold a password.
void decode_proxy(Reader& reader, const YamlNode& node, model::Proxy& out) {
  if (!reader.object(node, "spec.proxy")) return;
  reader.reject_unknown(node, "spec.proxy", {"url", "none"});
  const YamlNode* url = node.find("url");
  const YamlNode* none = node.find("none");
  if ((url == nullptr) == (none == nullptr)) {
    reader.error(node.mark, "spec.proxy", "exactly one of url or none must be set");
  }
  if (url) {
    if (auto text = reader.string(*url, "spec.proxy.url")) {
      if (auto proxy = http::parse_proxy_url(*text); !proxy) {
        reader.error(url->mark, "spec.proxy.url", proxy.status().message());
      }
      out.url = *text;
    }
  }
  if (none) {
    if (auto flag = reader.boolean(*none, "spec.proxy.none")) {
      if (!*flag) {
        reader.error(none->mark, "spec.proxy.none",
                     "must be true; remove spec.proxy to use the environment's proxy variables");
      }
      out.none = *flag;
    }
  }
}

// spec.type: one of the registered names, in registration order.
void decode_type(Reader& reader, const YamlNode& node, const providers::Registry& registry,
                 model::ProviderConfig& out) {
  auto text = reader.string(node, "spec.type");
  if (!text) return;
  if (const providers::ProviderDescriptor* type = registry.find(*text)) {
    out.type = type->type();
    out.base_url = type->default_base_url;
    return;
  }
  reader.error(
      node.mark, "spec.type",
      "unsupported value \"" + *text + "\": must be one of " + join(registry.names(), ", "));
}

// spec.<type> blocks: only the one of the config's own type is allowed, and
// its descriptor decodes it. With no type known, none is reported.
void decode_type_blocks(Reader& reader, const YamlNode& spec, const providers::Registry& registry,
                        model::ProviderConfig& out) {
  for (const providers::ProviderDescriptor& type : registry.descriptors()) {
    if (!type.config_block) continue;
    const YamlNode* node = spec.find(type.name);
    if (!node) continue;
    const std::string path = "spec." + type.name;
    if (!out.type.empty() && out.type.name() != type.name &&
        value_type(*node) == ValueType::kObject) {
      reader.error(node->mark, path, "not allowed for type " + model::to_string(out.type));
    }
    out.provider_specs[type.name] = decode_spec_block(reader, *node, type.name, *type.config_block);
  }
}

bool is_known_spec_field(std::string_view key, const providers::Registry& registry) {
  static constexpr std::string_view kKnown[] = {"type",     "baseUrl", "credentials", "rateLimit",
                                                "timeouts", "tls",     "proxy"};
  for (std::string_view k : kKnown) {
    if (k == key) return true;
  }
  const providers::ProviderDescriptor* type = registry.find(key);
  return type && type->config_block;
}

void decode_spec(Reader& reader, const YamlNode& spec, const http::CredentialPolicy& credentials,
                 const providers::Registry& registry, model::ProviderConfig& out) {
  for (const auto& entry : spec.entries) {
    if (is_known_spec_field(entry.key, registry)) continue;
    std::string path = "spec." + entry.key;
    reader.error(entry.key_mark, path,
                 is_inline_secret_key(entry.key) ? kInlineTokenMessage
                                                 : "unknown field \"" + entry.key + "\"");
  }
  if (const YamlNode* type = reader.required(spec, "spec", "type")) {
    decode_type(reader, *type, registry, out);
  }
  if (const YamlNode* url = spec.find("baseUrl")) {
    if (auto text = reader.string(*url, "spec.baseUrl")) {
      if (auto problem = check_http_url(*text); !problem.empty()) {
        reader.error(url->mark, "spec.baseUrl", problem);
      }
      out.base_url = *text;
      while (out.base_url.size() > 1 && out.base_url.back() == '/') out.base_url.pop_back();
    }
  }
  decode_credentials(reader, spec, credentials, out);
  if (const YamlNode* v = spec.find("rateLimit")) decode_rate_limit(reader, *v, out.rate_limit);
  if (const YamlNode* v = spec.find("timeouts")) decode_timeouts(reader, *v, out.timeouts);
  if (const YamlNode* v = spec.find("tls")) decode_tls(reader, *v, out.tls);
  if (const YamlNode* v = spec.find("proxy")) decode_proxy(reader, *v, out.proxy);
  decode_type_blocks(reader, spec, registry, out);
}

}  // namespace

model::ProviderConfig decode_provider_config(const YamlNode& root, DiagnosticSink& sink,
                                             const http::CredentialPolicy& credentials,
                                             const providers::Registry& registry) {
  Reader reader(sink);
  model::ProviderConfig out;
  reader.reject_unknown(root, "", {"apiVersion", "kind", "metadata", "spec"});
  Metadata metadata = decode_metadata(reader, root, /*namespaced=*/false);
  out.name = metadata.name;
  out.labels = std::move(metadata.labels);
  out.annotations = std::move(metadata.annotations);
  const YamlNode* spec = reader.required(root, "", "spec");
  if (spec && reader.object(*spec, "spec")) decode_spec(reader, *spec, credentials, registry, out);
  return out;
}

}  // namespace wsop::manifest
