// The Event recorder of event_recorder.h: a bounded queue, one worker, a
// deduplication map of the Events written and a token bucket per object.
#include "kube/event_recorder.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "kube/errors.h"
#include "kube/leader_election.h"  // format_micro_time

namespace wsop::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

constexpr std::size_t kMaxNoteBytes = 1024;     // as the events.k8s.io/v1 API validates
constexpr std::size_t kMaxReasonBytes = 128;    // reason and action
constexpr std::size_t kMaxEventNameBase = 236;  // 253 minus "." and 16 hex digits

// The longest prefix of at most max_bytes that does not split a UTF-8 character.
std::string cut_utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string string_field(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json regarding_json(const ObjectReference& ref) {
  Json out = {{"apiVersion", ref.api_version}, {"kind", ref.kind}, {"name", ref.name}};
  if (!ref.namespace_.empty()) out["namespace"] = ref.namespace_;
  if (!ref.uid.empty()) out["uid"] = ref.uid;
  if (!ref.resource_version.empty()) out["resourceVersion"] = ref.resource_version;
  return out;
}

std::string object_bucket_key(const ObjectReference& ref) {
  return ref.uid.empty() ? ref.namespace_ + "/" + ref.name : ref.uid;
}

}  // namespace

ObjectReference reference_to(const Json& object) {
  ObjectReference ref;
  if (!object.is_object()) return ref;
  ref.api_version = string_field(object, "apiVersion");
  ref.kind = string_field(object, "kind");
  const Json metadata = object.value("metadata", Json::object());
  if (!metadata.is_object()) return ref;
  ref.namespace_ = string_field(metadata, "namespace");
  ref.name = string_field(metadata, "name");
  ref.uid = string_field(metadata, "uid");
  ref.resource_version = string_field(metadata, "resourceVersion");
  return ref;
}

Outcome<std::unique_ptr<EventRecorder>> EventRecorder::create(const RestConfig& rest,
                                                              EventRecorderOptions options) {
  if (options.reporting_instance.empty() || options.queue_capacity == 0 || options.burst < 1 ||
      options.refill_interval <= milliseconds(0))
    return Status::error(Code::kInvalid,
                         "event recorder: a reporting instance, a queue and a burst are required");
  ClientOptions client_options;
  client_options.request_timeout = milliseconds(5'000);
  client_options.retry.max_attempts = 3;
  client_options.retry.max_total = milliseconds(5'000);
  Outcome<std::shared_ptr<Client>> client = Client::create(rest, client_options);
  if (!client) return client.status().with_context("event recorder");
  return std::make_unique<EventRecorder>(*client, std::move(options));
}

EventRecorder::EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

EventRecorder::~EventRecorder() {
  stop();
}

void EventRecorder::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

bool EventRecorder::record(const ObjectReference& regarding, EventType type,
                           std::string_view reason, std::string_view action,
                           std::string_view note) {
  Occurrence occurrence{regarding,
                        type == EventType::kWarning ? "Warning" : "Normal",
                        cut_utf8_prefix(reason, kMaxReasonBytes),
                        cut_utf8_prefix(action, kMaxReasonBytes),
                        cut_utf8_prefix(note, kMaxNoteBytes),
                        steady_clock::now(),
                        system_clock::now()};
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      ++stats_.dropped_queue_full;
      return false;
    }
    queue_.push_back(std::move(occurrence));
    ++stats_.recorded;
  }
  cv_.notify_all();
  return true;
}

bool EventRecorder::wait_idle(milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void EventRecorder::stop(milliseconds flush_timeout) {
  bool cancel_requests = false;
  {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    if (!thread_.joinable() || !cv_.wait_for(lock, flush_timeout, [this] { return done_; })) {
      // Give up (or never started): drop what is queued, end the client's waits.
      stats_.dropped_on_stop += queue_.size();
      queue_.clear();
      abandoned_ = true;
      cancel_requests = thread_.joinable();
    }
  }
  if (cancel_requests) client_->stop();
  if (thread_.joinable()) thread_.join();
}

EventRecorderStats EventRecorder::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void EventRecorder::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::max(options_.series_interval, milliseconds(100)),
                 [this] { return stopping_ || !queue_.empty(); });
    while (!queue_.empty() && !abandoned_) {
      Occurrence occurrence = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      handle(occurrence);
      lock.lock();
      busy_ = false;
    }
    bool stopping = stopping_;
    bool abandoned = abandoned_;
    busy_ = true;
    lock.unlock();
    if (!abandoned) flush_due_series(/*force=*/stopping);
    lock.lock();
    busy_ = false;
    cv_.notify_all();  // wait_idle()
    if (stopping) break;
  }
  done_ = true;
  cv_.notify_all();
}

void EventRecorder::handle(const Occurrence& occurrence) {
  const std::string key = object_bucket_key(occurrence.regarding) + "\n" + occurrence.type + "\n" +
                          occurrence.reason + "\n" + occurrence.action + "\n" + occurrence.note;
  auto it = series_.find(key);
  if (it != series_.end() &&
      (it->second.gone || occurrence.at - it->second.last_seen > options_.dedup_window)) {
    series_.erase(it);
    it = series_.end();
  }
  if (it == series_.end()) {
    create_event(occurrence, key);
    return;
  }
  Series& series = it->second;
  ++series.count;
  series.last_observed = occurrence.wall;
  series.last_seen = occurrence.at;
  {
    std::lock_guard lock(mu_);
    ++stats_.deduplicated;
  }
  patch_series(series, /*force=*/false);
  if (series.count != series.written_count) unwritten_.insert(key);
}

void EventRecorder::create_event(const Occurrence& occurrence, const std::string& key) {
  const ObjectReference& ref = occurrence.regarding;
  const std::string object_key = object_bucket_key(ref);
  if (!take_token(object_key)) {
    std::lock_guard lock(mu_);
    ++stats_.dropped_rate_limited;
    return;
  }
  // A cluster-scoped object's Events go to "default", as client-go's recorder does.
  const std::string ns = ref.namespace_.empty() ? "default" : ref.namespace_;
  const std::string name = event_name(ref.name);
  Json event = {{"apiVersion", "events.k8s.io/v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"eventTime", format_micro_time(occurrence.wall)},
                {"regarding", regarding_json(ref)},
                {"type", occurrence.type},
                {"reason", occurrence.reason},
                {"action", occurrence.action},
                {"note", occurrence.note},
                {"reportingController", options_.reporting_controller},
                {"reportingInstance", options_.reporting_instance}};
  Outcome<Json> answer = client_->create(kEventResource, ns, event);
  std::lock_guard lock(mu_);
  if (!answer) {
    ++stats_.failed;
    return;
  }
  ++stats_.created;
  Series series;
  series.namespace_ = ns;
  series.name = name;
  series.object_key = object_key;
  series.last_observed = occurrence.wall;
  series.last_seen = occurrence.at;
  series.last_written = steady_clock::now();
  series_[key] = std::move(series);
  if (series_.size() > options_.max_tracked) forget_oldest();
}

void EventRecorder::patch_series(Series& series, bool force) {
  if (series.gone || series.count == series.written_count) return;
  if (!force && steady_clock::now() - series.last_written < options_.series_interval) return;
  if (!take_token(series.object_key)) return;  // pending: the next occurrence or stop()
  Json patch = {
      {"series",
       {{"count", series.count}, {"lastObservedTime", format_micro_time(series.last_observed)}}}};
  Outcome<Json> answer = client_->patch(kEventResource, series.namespace_, series.name, patch);
  series.last_written = steady_clock::now();
  std::lock_guard lock(mu_);
  if (!answer) {
    ++stats_.failed;
    // Deleted meanwhile (Events expire): the next occurrence starts a new one.
    if (is_not_found(answer.status())) series.gone = true;
    return;
  }
  series.written_count = series.count;
  ++stats_.series_updates;
}

void EventRecorder::flush_due_series(bool force) {
  for (auto it = unwritten_.begin(); it != unwritten_.end();) {
    auto series = series_.find(*it);
    if (series != series_.end()) patch_series(series->second, force);
    bool pending = series != series_.end() && !series->second.gone &&
                   series->second.count != series->second.written_count;
    it = pending ? std::next(it) : unwritten_.erase(it);
  }
}

bool EventRecorder::take_token(const std::string& object_key) {
  const auto now = steady_clock::now();
  auto [it, inserted] = buckets_.try_emplace(object_key);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = options_.burst;
  } else {
    double refill = std::chrono::duration<double>(now - bucket.refilled) /
                    std::chrono::duration<double>(options_.refill_interval);
    bucket.tokens = std::min<double>(options_.burst, bucket.tokens + refill);
  }
  bucket.refilled = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  if (buckets_.size() > options_.max_tracked) {
    // Forget the buckets that have refilled by now (they would start full anyway).
    std::erase_if(buckets_, [&](const auto& entry) {
      double refill = std::chrono::duration<double>(now - entry.second.refilled) /
                      std::chrono::duration<double>(options_.refill_interval);
      return entry.first != object_key && entry.second.tokens + refill >= options_.burst;
    });
    // Still too many (more objects had events within a refill than are
    // tracked): the least recently used go, as client-go's LRU forgets
    // them, down to a margin below the bound, so the scan above runs once
    // per margin's worth of new objects, not once per event.
    if (buckets_.size() > options_.max_tracked) {
      forget_least_recent(buckets_, &Bucket::refilled, object_key);
    }
  }
  return true;
}

std::string EventRecorder::event_name(const std::string& object_name) {
  // client-go: "<name>.<hex UnixNano>"; strictly increasing so two Events of
  // one nanosecond do not collide.
  auto nanos = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(system_clock::now().time_since_epoch())
          .count());
  last_name_nanos_ = std::max(nanos, last_name_nanos_ + 1);
  char hex[20];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(last_name_nanos_));
  return object_name.substr(0, kMaxEventNameBase) + "." + hex;
}

void EventRecorder::forget_oldest() {
  // A margin at once (see take_token): one scan per margin's worth of new
  // series, not one per Event.
  forget_least_recent(series_, &Series::last_seen, std::string());
}

template <typename Entry, typename Stamp>
void EventRecorder::forget_least_recent(std::map<std::string, Entry>& entries, Stamp Entry::*stamp,
                                        const std::string& keep) {
  const std::size_t target = options_.max_tracked - options_.max_tracked / 8;
  if (entries.size() <= target) return;
  using Iterator = typename std::map<std::string, Entry>::iterator;
  std::vector<Iterator> order;
  order.reserve(entries.size());
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first != keep) order.push_back(it);
  }
  std::size_t excess = std::min(order.size(), entries.size() - target);
  auto older = [stamp](Iterator a, Iterator b) { return a->second.*stamp < b->second.*stamp; };
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(excess), order.end(),
                   older);
  for (std::size_t i = 0; i < excess; ++i) entries.erase(order[i]);
}

}  // namespace wsop::kube
