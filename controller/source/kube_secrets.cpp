#include "controller/source/kube_secrets.h"

#include <algorithm>
#include <climits>

namespace wsop::source {

const kube::Resource kSecretResource{"", "v1", "secrets", true};

namespace {

Status secret_refusal(const model::SecretKeySelector& ref, const std::string& problem) {
  return Status::error(Code::kUnauthorized, http::secret_display(ref) + " " + problem);
}

// data[key] as the API sent it (base64), or null.
const nlohmann::json* encoded_value(const kube::ObjectPtr& object, const std::string& key) {
  if (!object) return nullptr;
  auto data = object->find("data");
  if (data == object->end() || !data->is_object()) return nullptr;
  auto value = data->find(key);
  return value == data->end() ? nullptr : &*value;
}

bool same_encoded_value(const nlohmann::json* a, const nlohmann::json* b) {
  if (!a || !b) return a == b;
  return *a == *b;
}

}  // namespace

KubeSecrets::KubeSecrets(std::shared_ptr<kube::Client> client, KubeSecretsOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

KubeSecrets::~KubeSecrets() {
  stop();
}

void KubeSecrets::watch(const std::vector<model::SecretKeySelector>& refs) {
  std::map<SecretName, std::set<std::string>> wanted;
  for (const model::SecretKeySelector& ref : refs) wanted[{ref.ns, ref.name}].insert(ref.key);
  std::vector<std::shared_ptr<kube::Informer>> retired;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    for (auto it = watched_.begin(); it != watched_.end();) {
      if (wanted.count(it->first)) {
        ++it;
        continue;
      }
      retired.push_back(std::move(it->second.informer));
      it = watched_.erase(it);
    }
    for (auto& [secret, keys] : wanted) {
      Watched& entry = watched_[secret];
      entry.keys = std::move(keys);
      if (!entry.informer) entry.informer = start_informer(secret);
    }
  }
  // Outside the lock: stop() joins the informer's thread, whose handler
  // may be waiting for it.
  for (auto& informer : retired) informer->stop();
}

std::shared_ptr<kube::Informer> KubeSecrets::start_informer(const SecretName& secret) {
  kube::InformerOptions options;
  options.resource = kSecretResource;
  options.namespace_name = secret.first;
  options.field_selector = "metadata.name=" + secret.second;
  options.min_watch_timeout = options_.min_watch_timeout;
  options.max_watch_timeout = options_.max_watch_timeout;
  options.min_backoff = options_.min_backoff;
  options.max_backoff = options_.max_backoff;
  kube::EventHandlers handlers;
  handlers.on_add = [this, secret](const kube::ObjectPtr& object) {
    on_data_change(secret, nullptr, object);
  };
  handlers.on_update = [this, secret](const kube::ObjectPtr& old_object,
                                      const kube::ObjectPtr& new_object) {
    on_data_change(secret, old_object, new_object);
  };
  handlers.on_delete = [this, secret](const kube::ObjectPtr& object) {
    on_data_change(secret, object, nullptr);
  };
  auto informer =
      std::make_shared<kube::Informer>(client_, std::move(options), std::move(handlers));
  informer->start();
  return informer;
}

void KubeSecrets::on_data_change(const SecretName& secret, const kube::ObjectPtr& old_object,
                                 const kube::ObjectPtr& new_object) {
  if (!options_.on_change) return;
  std::vector<model::SecretKeySelector> changed;
  {
    std::lock_guard lock(mu_);
    auto it = watched_.find(secret);
    // The first list is what read() starts from, not a change.
    if (it == watched_.end() || !it->second.informer->has_synced()) return;
    for (const std::string& key : it->second.keys) {
      if (!same_encoded_value(encoded_value(old_object, key), encoded_value(new_object, key))) {
        changed.push_back({secret.first, secret.second, key});
      }
    }
  }
  for (const model::SecretKeySelector& ref : changed) options_.on_change(ref);
}

bool KubeSecrets::wait_for_sync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::shared_ptr<kube::Informer>> informers;
  {
    std::lock_guard lock(mu_);
    for (const auto& [secret, entry] : watched_) informers.push_back(entry.informer);
  }
  for (const auto& informer : informers) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!informer->wait_for_sync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

void KubeSecrets::stop() {
  std::map<SecretName, Watched> retired;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    retired.swap(watched_);
  }
  for (auto& [secret, entry] : retired) entry.informer->stop();
}

std::shared_ptr<kube::Informer> KubeSecrets::informer_of(const SecretName& secret) const {
  std::lock_guard lock(mu_);
  auto it = watched_.find(secret);
  return it == watched_.end() ? nullptr : it->second.informer;
}

Outcome<std::string> KubeSecrets::read(const model::SecretKeySelector& ref) {
  auto informer = informer_of({ref.ns, ref.name});
  if (!informer) {
    return Status::error(Code::kTransient,
                         http::secret_display(ref) + " not read yet: it is not watched");
  }
  if (!informer->has_synced()) {
    std::string message = http::secret_display(ref) + " not read yet";
    // The list's own failure, e.g. a 403 when RBAC does not cover the
    // namespace: never data, the list having failed.
    if (std::string error = informer->last_error(); !error.empty()) message += " (" + error + ")";
    return Status::error(Code::kTransient, std::move(message));
  }
  kube::ObjectPtr secret = informer->get(ref.ns, ref.name);
  if (!secret) return secret_refusal(ref, "not found");
  const nlohmann::json* encoded = encoded_value(secret, ref.key);
  if (!encoded) return secret_refusal(ref, "has no key " + ref.key);
  std::optional<std::string> value;
  if (encoded->is_string())
    value = kube::decode_base64_strict(encoded->get_ref<const std::string&>());
  if (!value) return secret_refusal(ref, "key " + ref.key + " is not valid base64");
  return std::move(*value);
}

std::vector<std::pair<std::string, std::string>> KubeSecrets::watched() const {
  std::lock_guard lock(mu_);
  std::vector<SecretName> out;
  for (const auto& [secret, entry] : watched_) out.push_back(secret);
  return out;
}

}  // namespace wsop::source
