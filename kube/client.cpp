#include "kube/client.h"

#include <algorithm>
#include <thread>

#include "common/http/message.h"
#include "kube/errors.h"

namespace wsop::kube {
namespace {

const char* content_type_of(PatchType type) {
  return type == PatchType::kMerge ? "application/merge-patch+json" : "application/json-patch+json";
}

// "?a=1&b=2" from the pairs whose value is set.
std::string query(std::initializer_list<std::pair<const char*, std::string>> pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    out += (out.empty() ? "?" : "&") + std::string(name) + "=" + http::url_encode(value);
  }
  return out;
}

const Json* metadata_field(const Json& object, const char* field) {
  if (!object.is_object()) return nullptr;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? &*value : nullptr;
}

std::string metadata_string(const Json& object, const char* field) {
  const Json* value = metadata_field(object, field);
  return value ? value->get<std::string>() : "";
}

}  // namespace

std::string object_key(const Json& object) {
  std::string ns = metadata_string(object, "namespace");
  std::string name = metadata_string(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::string object_resource_version(const Json& object) {
  return metadata_string(object, "resourceVersion");
}

std::string Resource::path(std::string_view ns, std::string_view name,
                           std::string_view subresource) const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) out += "/namespaces/" + http::url_encode(ns);
  out += "/" + plural;
  if (!name.empty()) out += "/" + http::url_encode(name);
  if (!name.empty() && !subresource.empty()) out += "/" + std::string(subresource);
  return out;
}

Client::Client(RestConfig config, std::shared_ptr<Transport> transport, ClientOptions options)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

Outcome<std::shared_ptr<Client>> Client::create(const RestConfig& config, ClientOptions options) {
  Outcome<std::shared_ptr<Transport>> transport = Transport::create(config, options.transport);
  if (!transport) return transport.status();
  return std::make_shared<Client>(config, *transport, std::move(options));
}

void Client::stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  stopped_cv_.notify_all();
}

bool Client::wait(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !stopped_cv_.wait_for(lock, delay, [this] { return stopped_; });
}

std::chrono::milliseconds Client::backoff(int attempt) {
  // Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
  auto ceiling = options_.retry.base_delay * (1LL << std::min(attempt - 1, 20));
  ceiling = std::min<std::chrono::milliseconds>(ceiling, options_.retry.max_delay);
  std::lock_guard lock(mu_);
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling.count());
  return std::chrono::milliseconds(pick(rng_));
}

Outcome<Json> Client::call(const HttpRequest& request, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  const RetryPolicy& policy = options_.retry;
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      if (stopped_)
        return Status::error(Code::kTransient, what + ": client stopped")
            .with_reason(std::string(kReasonCanceled));
    }
    bool sent = true;
    Outcome<HttpResponse> answer = transport_->round_trip(request, options_.request_timeout, &sent);
    Status failure;
    bool retry = false;
    if (!answer) {
      failure = answer.status().with_context(what);
      retry = failure.code() == Code::kTransient && (request.method != "POST" || !sent);
    } else {
      failure = status_from_answer(answer->status, answer->body, answer->retry_after, what);
      if (failure.is_ok()) {
        if (answer->body.empty()) return Json::object();
        Json parsed = Json::parse(answer->body, nullptr, false);
        if (parsed.is_discarded())
          return Status::error(Code::kInvalid, what + ": answer is not JSON");
        return parsed;
      }
      retry = failure.code() == Code::kRateLimited ||
              (failure.code() == Code::kTransient && request.method != "POST");
    }
    if (!retry || attempt >= policy.max_attempts) return failure;
    std::chrono::milliseconds delay = failure.retry_after()
                                          ? std::min(*failure.retry_after(), policy.max_retry_after)
                                          : backoff(attempt);
    if (std::chrono::steady_clock::now() - start + delay > policy.max_total) return failure;
    if (!wait(delay)) return failure.with_reason(std::string(kReasonCanceled));
  }
}

Outcome<Json> Client::request(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& content_type) {
  return call({method, target, body, content_type}, method + " " + target);
}

Outcome<Json> Client::get(const Resource& resource, std::string_view ns, std::string_view name) {
  return call({"GET", resource.path(ns, name), "", ""},
              "get " + resource.plural + " " + std::string(ns) + "/" + std::string(name));
}

Outcome<Json> Client::get_status(const Resource& resource, std::string_view ns,
                                 std::string_view name) {
  return call({"GET", resource.path(ns, name, "status"), "", ""},
              "get " + resource.plural + "/status " + std::string(ns) + "/" + std::string(name));
}

Outcome<Json> Client::list(const Resource& resource, std::string_view ns,
                           const ListOptions& options) {
  std::string target =
      resource.path(ns) + query({{"labelSelector", options.label_selector},
                                 {"fieldSelector", options.field_selector},
                                 {"resourceVersion", options.resource_version},
                                 {"limit", options.limit > 0 ? std::to_string(options.limit) : ""},
                                 {"continue", options.continue_token}});
  return call({"GET", target, "", ""}, "list " + resource.plural);
}

Outcome<Json> Client::list_all(const Resource& resource, std::string_view ns, ListOptions options,
                               std::int64_t page_size) {
  options.limit = page_size;
  options.continue_token.clear();
  Outcome<Json> first = list(resource, ns, options);
  if (!first) return first;
  Json all = std::move(*first);
  if (!all["items"].is_array()) all["items"] = Json::array();
  for (;;) {
    std::string token = all["metadata"].value("continue", "");
    if (token.empty()) break;
    options.continue_token = token;
    Outcome<Json> page = list(resource, ns, options);
    if (!page && is_gone(page.status())) {
      // The snapshot behind the token was compacted: one whole list instead.
      options.limit = 0;
      options.continue_token.clear();
      return list(resource, ns, options);
    }
    if (!page) return page;
    for (Json& item : (*page)["items"]) all["items"].push_back(std::move(item));
    all["metadata"]["continue"] = (*page)["metadata"].value("continue", "");
  }
  all["metadata"].erase("continue");
  return all;
}

Outcome<Json> Client::create(const Resource& resource, std::string_view ns, const Json& object) {
  return call(
      {"POST", resource.path(ns), object.dump(), "application/json"},
      "create " + resource.plural + " " + std::string(ns) + "/" + metadata_string(object, "name"));
}

Outcome<Json> Client::write_object(const std::string& method, const Resource& resource,
                                   const Json& object, std::string_view subresource) {
  const std::string ns = metadata_string(object, "namespace");
  const std::string name = metadata_string(object, "name");
  std::string what = "update " + resource.plural + (subresource.empty() ? "" : "/status") + " " +
                     (ns.empty() ? name : ns + "/" + name);
  if (name.empty()) return Status::error(Code::kInvalid, what + ": metadata.name is not set");
  if (object_resource_version(object).empty()) {
    return Status::error(Code::kInvalid, what +
                                             ": metadata.resourceVersion is not set (the "
                                             "precondition of an update)");
  }
  return call({method, resource.path(ns, name, subresource), object.dump(), "application/json"},
              what);
}

Outcome<Json> Client::update(const Resource& resource, const Json& object) {
  return write_object("PUT", resource, object, "");
}

Outcome<Json> Client::update_status(const Resource& resource, const Json& object) {
  return write_object("PUT", resource, object, "status");
}

Outcome<Json> Client::patch(const Resource& resource, std::string_view ns, std::string_view name,
                            const Json& patch, PatchType type) {
  return call({"PATCH", resource.path(ns, name), patch.dump(), content_type_of(type)},
              "patch " + resource.plural + " " + std::string(ns) + "/" + std::string(name));
}

Outcome<Json> Client::patch_status(const Resource& resource, std::string_view ns,
                                   std::string_view name, const Json& patch, PatchType type) {
  return call({"PATCH", resource.path(ns, name, "status"), patch.dump(), content_type_of(type)},
              "patch " + resource.plural + "/status " + std::string(ns) + "/" + std::string(name));
}

Outcome<Json> Client::remove(const Resource& resource, std::string_view ns, std::string_view name,
                             const DeleteOptions& options) {
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  return call({"DELETE", resource.path(ns, name), body.dump(), "application/json"},
              "delete " + resource.plural + " " + std::string(ns) + "/" + std::string(name));
}

Outcome<std::unique_ptr<WatchStream>> Client::watch(const Resource& resource, std::string_view ns,
                                                    const WatchOptions& options) {
  std::string target =
      resource.path(ns) + query({{"watch", "true"},
                                 {"resourceVersion", options.resource_version},
                                 {"allowWatchBookmarks", options.allow_bookmarks ? "true" : ""},
                                 {"timeoutSeconds", std::to_string(options.timeout.count())},
                                 {"labelSelector", options.label_selector},
                                 {"fieldSelector", options.field_selector}});
  std::string what = "watch " + resource.plural;
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      return Status::error(Code::kTransient, what + ": client stopped")
          .with_reason(std::string(kReasonCanceled));
    }
  }
  // The server ends the watch at timeoutSeconds; a silent minute more means
  // the connection is dead.
  auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout) +
              std::chrono::seconds(60);
  Outcome<Transport::Stream> stream =
      transport_->open_stream({"GET", target, "", ""}, options_.request_timeout, idle);
  if (!stream) return stream.status().with_context(what);
  if (!stream->lines) {
    return status_from_answer(stream->head.status, stream->head.body, stream->head.retry_after,
                              what);
  }
  return std::make_unique<WatchStream>(std::move(stream->lines), what);
}

Outcome<Json> update_with_retry(Client& client, const Resource& resource, std::string_view ns,
                                std::string_view name, const Mutate& mutate,
                                bool status_subresource, ConflictRetry retry) {
  std::chrono::milliseconds delay = retry.delay;
  std::mt19937 rng(std::random_device{}());
  Status last;
  for (int attempt = 0; attempt < retry.attempts; ++attempt) {
    Outcome<Json> current =
        status_subresource ? client.get_status(resource, ns, name) : client.get(resource, ns, name);
    if (!current) return current;
    Json changed = *current;
    if (Status status = mutate(changed); !status) return status;
    if (changed == *current) return current;
    Outcome<Json> written = status_subresource ? client.update_status(resource, changed)
                                               : client.update(resource, changed);
    if (written || !is_conflict(written.status())) return written;
    last = written.status();
    std::uniform_int_distribution<std::int64_t> jitter(0, delay.count() / 10);
    std::this_thread::sleep_for(delay + std::chrono::milliseconds(jitter(rng)));
    delay *= 2;
  }
  return last;
}

}  // namespace wsop::kube
