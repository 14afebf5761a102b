#include "cmd/wsctl/apply_progress.h"

#include <cstdio>

#include "common/duration.h"

namespace wsop::cli {

using reconcile::EventType;

ApplyProgress::ApplyProgress(std::ostream& out, bool tty, size_t total,
                             std::chrono::milliseconds every)
    : out_(out), tty_(tty), total_(total), every_(every) {}

ApplyProgress::~ApplyProgress() {
  finish();
}

void ApplyProgress::start() {
  // On a terminal the bar is redrawn each second (its rate and elapsed
  // time move even when nothing ends); off one, a line every every_.
  if (ticker_.joinable() || (!tty_ && every_.count() <= 0)) return;
  ticker_ = std::thread([this] { tick(); });
}

void ApplyProgress::tick() {
  const auto interval = tty_ ? std::chrono::milliseconds(1000) : every_;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    if (tty_) {
      draw_locked();
    } else {
      out_ << "progress: " << phases_locked() << "\n" << std::flush;
    }
  }
}

void ApplyProgress::on_event(const reconcile::Event& event) {
  std::lock_guard lock(mu_);
  std::string key = event.key.to_string();
  switch (event.type) {
    case EventType::kCreated:
    case EventType::kAdopted:
    case EventType::kReplaced:
      created_.insert(key);
      failed_.erase(key);
      break;
    case EventType::kUpdated:
    case EventType::kDriftCorrected:
      updated_.insert(key);
      failed_.erase(key);
      break;
    case EventType::kDeleted:
    case EventType::kForgotten: deleted_.insert(key); break;
    case EventType::kMoved:
      moved_.insert(key);
      failed_.erase(key);
      break;
    case EventType::kCreatePendingUnresolved:
    case EventType::kReplaceRequired:
    case EventType::kProvisioningFailed: failed_.insert(key); break;
    case EventType::kFailed: ++errors_; break;
    case EventType::kCreateAmbiguous: break;
  }
  if (tty_) out_ << "\r\033[K";
  out_ << reconcile::to_string(event.type) << " " << key << " (" << event.provider_config << ")";
  if (!event.message.empty()) out_ << ": " << event.message;
  out_ << "\n";
  if (tty_) draw_locked();
}

void ApplyProgress::on_reconciled(const std::string& key, const Status& status,
                                  std::chrono::duration<double>, bool requeued) {
  std::lock_guard lock(mu_);
  reconciled_.insert(key);
  if (!requeued) done_.insert(key);
  if (status.is_ok() && !requeued) failed_.erase(key);
  if (tty_) draw_locked();
}

// The last error is printed with the key, so that a summary's "failed N"
// always has a reason above it (the reconciler's events carry most; this
// covers errors no event told).
void ApplyProgress::on_given_up(const std::string& key, const Status& last) {
  std::lock_guard lock(mu_);
  if (failed_.insert(key).second) {
    if (tty_) out_ << "\r\033[K";
    out_ << "failed " << key << ": " << last.to_string() << "\n";
  }
  done_.insert(key);
  reconciled_.insert(key);
}

void ApplyProgress::mark_failed(const std::string& key, const std::string& why) {
  std::lock_guard lock(mu_);
  if (failed_.insert(key).second) out_ << "failed " << key << ": " << why << "\n";
}

std::set<std::string> ApplyProgress::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

std::string ApplyProgress::phases_locked() const {
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  size_t provisioning = reconciled_.size() > done_.size() ? reconciled_.size() - done_.size() : 0;
  size_t not_started = total_ > reconciled_.size() ? total_ - reconciled_.size() : 0;
  return std::to_string(done_.size()) + " of " + std::to_string(total_) + " done (created " +
         std::to_string(created_.size()) + ", updated " + std::to_string(updated_.size()) +
         ", deleted " + std::to_string(deleted_.size()) + ", failed " +
         std::to_string(failed_.size()) + "), " + std::to_string(provisioning) + " provisioning, " +
         std::to_string(not_started) + " not started, " +
         format_duration(std::chrono::duration_cast<std::chrono::seconds>(elapsed)) + " elapsed";
}

// [##########----------] 12/40 2.5/s, 0 errors
void ApplyProgress::draw_locked() {
  constexpr size_t kWidth = 20;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  size_t filled = total_ > 0 ? done_.size() * kWidth / total_ : kWidth;
  std::string bar(filled, '#');
  bar.resize(kWidth, '-');
  char line[200];
  std::snprintf(line, sizeof line, "\r\033[K[%s] %zu/%zu %.1f/s, %zu errors", bar.c_str(),
                done_.size(), total_, seconds > 0 ? done_.size() / seconds : 0.0, errors_);
  out_ << line << std::flush;
}

void ApplyProgress::finish() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mu_);
  if (tty_) out_ << "\r\033[K" << std::flush;
}

std::string ApplyProgress::summary(size_t total) const {
  std::lock_guard lock(mu_);
  // A workspace counts once: failed wins over what happened before it failed.
  auto count = [this](const std::set<std::string>& keys) {
    size_t n = 0;
    for (const auto& key : keys) n += failed_.count(key) ? 0 : 1;
    return n;
  };
  size_t created = count(created_), deleted = count(deleted_), updated = 0;
  for (const auto& key : updated_) updated += created_.count(key) || failed_.count(key) ? 0 : 1;
  // A moved workspace whose fields also changed counts once, as updated.
  size_t moved = 0;
  for (const auto& key : moved_) moved += updated_.count(key) || failed_.count(key) ? 0 : 1;
  size_t changed = created + updated + deleted + moved + failed_.size();
  // Keys the run never got to (it timed out or was interrupted) are not
  // "unchanged": nobody looked.
  std::set<std::string> touched = reconciled_;
  for (const auto* keys : {&created_, &updated_, &deleted_, &failed_, &moved_}) {
    touched.insert(keys->begin(), keys->end());
  }
  size_t not_started = total > touched.size() ? total - touched.size() : 0;
  size_t unchanged = total > changed + not_started ? total - changed - not_started : 0;
  return "created " + std::to_string(created) + ", updated " + std::to_string(updated) +
         ", deleted " + std::to_string(deleted) + ", unchanged " + std::to_string(unchanged) +
         ", failed " + std::to_string(failed_.size()) +
         (moved ? ", moved " + std::to_string(moved) : "") +
         (not_started ? ", not started " + std::to_string(not_started) : "");
}

}  // namespace wsop::cli
