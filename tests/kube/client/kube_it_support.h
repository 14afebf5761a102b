// Shared by the client's integration tests against the Kubernetes API double
// (tests/kube/kube_double.h): a client from the double's own kubeconfig (TLS
// verified against its CA, its token), Workspace objects, and a condition
// waited for without sleeping blindly.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"
#include "tests/kube/kube_double.h"

namespace wsop::kubetest {

inline const kube::Resource kWorkspaceResource{"workspace-operator.io", "v1alpha1", "workspaces",
                                               true};

inline nlohmann::json workspace_object(const std::string& name,
                                       const std::string& team = "research") {
  return {{"apiVersion", "workspace-operator.io/v1alpha1"},
          {"kind", "Workspace"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"team", team}}}}},
          {"spec", {{"providerConfigRef", {{"name", "cadenya-prod"}}}}}};
}

inline std::shared_ptr<kube::Client> client_from_kubeconfig(const KubeDouble& kube,
                                                            kube::ClientOptions options = {}) {
  Outcome<kube::RestConfig> config = kube::load_kubeconfig({kube.kubeconfig_path()}, "");
  EXPECT_TRUE(config) << config.status().to_string();
  if (!config) return nullptr;
  Outcome<std::shared_ptr<kube::Client>> client = kube::Client::create(*config, options);
  EXPECT_TRUE(client) << client.status().to_string();
  return client ? *client : nullptr;
}

// A count from the double's statistics ("list workspaces"), 0 when absent.
inline int double_count(const KubeDouble& kube, const std::string& verb_resource) {
  Outcome<nlohmann::json> stats = kube.stats();
  if (!stats) return -1;
  return (*stats)["byVerbResource"].value(verb_resource, 0);
}

// What an informer's handlers saw, in order, with a wait for a condition.
class EventLog {
 public:
  void add(std::string entry) {
    std::lock_guard lock(mu_);
    entries_.push_back(std::move(entry));
    cv_.notify_all();
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  bool contains(const std::string& entry) const {
    std::lock_guard lock(mu_);
    return std::find(entries_.begin(), entries_.end(), entry) != entries_.end();
  }
  // True once `entry` is logged; false after timeout.
  bool wait_for(const std::string& entry,
                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      return std::find(entries_.begin(), entries_.end(), entry) != entries_.end();
    });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> entries_;
};

// Polls `condition` (for state only the double or a statistic shows).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace wsop::kubetest
