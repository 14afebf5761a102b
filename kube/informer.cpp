#include "kube/informer.h"

#include <random>

#include "kube/errors.h"

namespace wsop::kube {
namespace {

thread_local std::mt19937_64 informer_rng{std::random_device{}()};

}  // namespace

Informer::Informer(std::shared_ptr<Client> client, InformerOptions options, EventHandlers handlers)
    : client_(std::move(client)),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      cache_(options_.indexed_labels, options_.indexed_annotations) {}

Informer::~Informer() {
  stop();
}

void Informer::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (current_) current_->cancel();
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return synced_.load() || stopping_; });
  return synced_;
}

ObjectPtr Informer::get(const std::string& ns, const std::string& name) const {
  return cache_.get(ns.empty() ? name : ns + "/" + name);
}

std::string Informer::last_resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

InformerStats Informer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::string Informer::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void Informer::record(const Status& status) {
  std::lock_guard lock(mu_);
  last_error_ = status ? "" : status.to_string();
}

bool Informer::sleep(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

std::chrono::milliseconds Informer::jittered(std::chrono::milliseconds delay) {
  // Between half and all of delay: spread, yet never much shorter.
  std::uniform_int_distribution<std::int64_t> pick(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(pick(informer_rng));
}

ObjectPtr Informer::own(nlohmann::json object) const {
  if (options_.drop_managed_fields && object.contains("metadata") &&
      object["metadata"].is_object()) {
    object["metadata"].erase("managedFields");
  }
  return std::make_shared<const nlohmann::json>(std::move(object));
}

void Informer::run() {
  bool need_list = true;
  std::chrono::milliseconds backoff = options_.min_backoff;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    Status status;
    bool progressed = false;
    if (need_list) {
      status = list_and_replace();
      need_list = !status.is_ok();
    } else {
      const auto opened_at = std::chrono::steady_clock::now();
      status = watch_once(progressed);
      // A watch the server ends at once, delivering nothing, is no timeout
      // passing: wait as after a failure rather than spin.
      if (status.is_ok() && !progressed &&
          std::chrono::steady_clock::now() - opened_at < std::chrono::seconds(1)) {
        status = Status::error(Code::kTransient, "watch " + options_.resource.plural +
                                                     " ended at once without an event");
      }
      if (is_gone(status)) {
        need_list = true;  // history compacted: only a relist can catch up
        std::lock_guard lock(mu_);
        ++stats_.relists;
        relist_from_latest_ = true;
        continue;
      }
    }
    record(status);
    if (progressed || (status.is_ok() && !need_list)) backoff = options_.min_backoff;
    if (status.is_ok()) continue;  // a watch's clean end: watch again at once
    if (!sleep(jittered(backoff))) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

Status Informer::list_and_replace() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  {
    std::lock_guard lock(mu_);
    ++stats_.lists;
    // client-go's reflector: the first list reads "any" version ("0"), which
    // the API server answers whole from its watch cache (the page size does
    // not apply there); a relist after 410 Gone reads the most recent one,
    // in pages. A list that is older than what the informer saw is safe:
    // the watch from its version brings every later change, and every
    // write the operator makes is conditional on a resourceVersion.
    list_options.resource_version = relist_from_latest_ ? "" : "0";
  }
  Outcome<Json> listed = client_->list_all(options_.resource, options_.namespace_name, list_options,
                                           options_.page_size);
  if (!listed) return listed.status();
  std::vector<ObjectPtr> objects;
  if (auto items = listed->find("items"); items != listed->end() && items->is_array()) {
    objects.reserve(items->size());
    for (Json& item : *items) objects.push_back(own(std::move(item)));
  }
  std::string version = (*listed)["metadata"].value("resourceVersion", "");
  listed = Json();  // the copies live in `objects` now
  std::vector<ObjectCache::Change> changes = cache_.replace(std::move(objects));
  {
    std::lock_guard lock(mu_);
    resource_version_ = version;
  }
  for (ObjectCache::Change& change : changes) {
    switch (change.kind) {
      case ObjectCache::Change::Kind::kAdd:
        if (handlers_.on_add) handlers_.on_add(change.new_object);
        break;
      case ObjectCache::Change::Kind::kUpdate:
        if (handlers_.on_update) {
          handlers_.on_update(handlers_.reads_old_object ? change.old.object() : nullptr,
                              change.new_object);
        }
        break;
      case ObjectCache::Change::Kind::kDelete:
        if (handlers_.on_delete) handlers_.on_delete(change.old.object());
        break;
    }
    // The cache keeps its own encoding: each listed tree goes once handled,
    // not all of them at the end of a list of thousands.
    change.old = {};
    change.new_object.reset();
  }
  {
    std::lock_guard lock(mu_);
    synced_ = true;
    cv_.notify_all();
  }
  if (handlers_.on_synced) handlers_.on_synced();
  return Status::ok();
}

Status Informer::watch_once(bool& progressed) {
  WatchOptions watch_options;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.resource_version = last_resource_version();
  std::uniform_int_distribution<std::int64_t> pick(
      options_.min_watch_timeout.count(),
      std::max(options_.min_watch_timeout, options_.max_watch_timeout).count());
  watch_options.timeout = std::chrono::seconds(pick(informer_rng));
  Outcome<std::unique_ptr<WatchStream>> opened =
      client_->watch(options_.resource, options_.namespace_name, watch_options);
  {
    std::lock_guard lock(mu_);
    ++stats_.watches;
    if (!opened) ++stats_.watch_failures;
    if (!opened) return opened.status();
    current_ = opened->get();
    if (stopping_) current_->cancel();
  }
  Status status;
  for (;;) {
    Outcome<std::optional<WatchEvent>> event = (*opened)->next();
    if (!event) {
      status = event.status();
      break;
    }
    if (!event->has_value()) break;  // the server's timeoutSeconds: resume
    apply(**event);
    progressed = true;
  }
  std::lock_guard lock(mu_);
  current_ = nullptr;
  if (!status) ++stats_.watch_failures;
  return status;
}

void Informer::apply(WatchEvent& event) {
  std::string version = event.resource_version();
  bool bookmark = event.type == WatchEvent::Type::kBookmark;
  ObjectPtr object = bookmark ? nullptr : own(std::move(event.object));
  Replaced old;
  if (event.type == WatchEvent::Type::kAdded || event.type == WatchEvent::Type::kModified) {
    old = cache_.upsert(object);
  } else if (event.type == WatchEvent::Type::kDeleted) {
    old = cache_.erase(object_key(*object));
  }
  {
    std::lock_guard lock(mu_);
    if (!version.empty()) resource_version_ = version;
    ++(bookmark ? stats_.bookmarks : stats_.events);
  }
  if (bookmark) return;
  if (event.type == WatchEvent::Type::kDeleted) {
    if (handlers_.on_delete) handlers_.on_delete(object);
  } else if (old) {
    if (handlers_.on_update) {
      handlers_.on_update(handlers_.reads_old_object ? old.object() : nullptr, object);
    }
  } else if (handlers_.on_add) {
    handlers_.on_add(object);
  }
}

}  // namespace wsop::kube
