// A Simulator on free loopback ports for one test, with short Aether delays,
// and clients for its three APIs.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "sim/aether/aether_descriptor.h"
#include "sim/core/simulator.h"
#include "sim/paradigm/paradigm_descriptor.h"
#include "sim/registry.h"
#include "tests/common/http/test_client.h"

namespace wsop::simtest {

inline constexpr const char* kProject = "00000000-0000-4000-8000-000000000001";

inline sim::SimConfig test_config() {
  sim::SimConfig config = sim::builtin_config();
  sim::aether::options_of(config).creating_delay = std::chrono::milliseconds(100);
  sim::aether::options_of(config).starting_delay = std::chrono::milliseconds(100);
  sim::aether::options_of(config).stopping_delay = std::chrono::milliseconds(100);
  return config;
}

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override { start(test_config()); }

  void start(sim::SimConfig config) {
    sim_.reset();
    sim_ = std::make_unique<sim::Simulator>(std::move(config));
    Status s = sim_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  Client client(const std::string& provider, const std::string& token = "test-token") {
    return Client(sim_->url(provider), token);
  }

  // Polls `probe` every 20 ms until it holds or `limit` passes.
  static bool eventually(const std::function<bool()>& probe,
                         std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (probe()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return probe();
  }

  std::unique_ptr<sim::Simulator> sim_;
};

}  // namespace wsop::simtest
