#include "controller/state/backup_schedule.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "controller/state/sqlite_backup.h"

namespace wsop::state {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "state-";
constexpr std::string_view kSuffix = ".db";

// state-20261206T201500Z.db: sorts by time, and reads as UTC.
std::string backup_name(std::chrono::system_clock::time_point at) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(kPrefix) + stamp + std::string(kSuffix);
}

bool is_backup_name(const std::string& name) {
  // state-YYYYMMDDTHHMMSSZ.db: 6 + 16 + 3 characters.
  return name.size() == kPrefix.size() + 16 + kSuffix.size() && name.starts_with(kPrefix) &&
         name.ends_with(kSuffix);
}

}  // namespace

BackupSchedule::BackupSchedule(BackupScheduleOptions options, Report report)
    : options_(std::move(options)), report_(std::move(report)) {
  if (options_.keep < 1) options_.keep = 1;
}

BackupSchedule::~BackupSchedule() {
  stop();
}

void BackupSchedule::start() {
  thread_ = std::thread([this] { loop(); });
}

void BackupSchedule::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackupSchedule::loop() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, options_.every, [this] { return stopping_; })) {
    lock.unlock();
    auto written = run_once();
    if (report_) report_(written);
    lock.lock();
  }
}

std::vector<std::string> BackupSchedule::list(const std::string& directory) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    std::string name = entry.path().filename().string();
    if (is_backup_name(name) && entry.is_regular_file(ec)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Outcome<std::string> BackupSchedule::run_once() {
  std::error_code ec;
  fs::create_directories(options_.directory, ec);
  if (ec) {
    return Status::error(Code::kInternal,
                         "backup directory " + options_.directory + ": " + ec.message());
  }
  std::string path =
      (fs::path(options_.directory) / backup_name(std::chrono::system_clock::now())).string();
  if (Status s = backup_sqlite_state_store(options_.state_path, path); !s.is_ok()) return s;
  auto existing = list(options_.directory);
  for (size_t i = 0; i + options_.keep < existing.size(); ++i) {
    fs::remove(fs::path(options_.directory) / existing[i], ec);  // best effort
  }
  return path;
}

}  // namespace wsop::state
