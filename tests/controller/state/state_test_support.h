// Shared by the state store tests: a fresh temporary directory per test, and
// records with every field set to a non-default value.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "controller/state/sqlite_state_store.h"
#include "controller/state/state_store.h"

namespace wsop::state::test_support {

inline Time at_millis(int64_t millis) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::milliseconds(millis)));
}

// A record in which no field has its default value, so that a round trip
// that drops or swaps any field fails.
inline WorkspaceRecord full_record(const std::string& ns, const std::string& name) {
  WorkspaceRecord r;
  r.key = {ns, name};
  r.external_id = ns + "/" + name + "-ext";
  r.provider_config = "aether-prod";
  r.provider_type = model::ProviderType("aether");
  r.remote_id = "remote-" + ns + "-" + name;
  r.owner_instance_id = "instance-1";
  r.origin = Origin::kAdopted;
  r.create.state = CreateState::kSucceeded;
  r.create.requested_at = at_millis(1'700'000'000'123);
  r.create.request_digest = "sha256:abcdef";
  r.create.pending_attempts = 3;
  r.observed_json = R"({"status":"running","cpus":4,"name":"caf\u00e9 \"x\""})";
  r.conditions.ready = {model::ConditionStatus::kTrue, "Available", "running",
                        at_millis(1'700'000'001'000)};
  r.conditions.synced = {model::ConditionStatus::kFalse, "ReconcileError", "HTTP 500: boom",
                         at_millis(1'700'000'002'000)};
  r.deletion_policy = model::DeletionPolicy::kOrphan;
  r.management_policy = model::ManagementPolicy::kCreateOnly;
  r.paused = true;
  r.applied_generation = 42;
  r.applied_digest = "sha256:spec";
  r.last_applied_at = at_millis(1'700'000'003'456);
  return r;
}

// A record as the reconciler has it just before a create: no remote id yet.
inline WorkspaceRecord new_record(const std::string& ns, const std::string& name) {
  WorkspaceRecord r;
  r.key = {ns, name};
  r.external_id = ns + "/" + name;
  r.provider_config = "paradigm-prod";
  r.provider_type = model::ProviderType("paradigm");
  r.owner_instance_id = "instance-1";
  r.create.request_digest = "sha256:create-" + name;
  return r;
}

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wsop-state-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "state.db").string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Opens the store at path_, failing the test when it cannot.
  std::unique_ptr<StateStore> open_store() {
    Outcome<std::unique_ptr<StateStore>> store = open_sqlite_state_store(path_);
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    return store.is_ok() ? std::move(*store) : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace wsop::state::test_support
