// provider-sim: serves the simulated provider APIs of the built-in registry
// (sim/registry.h) on loopback (ARCHITECTURE.md section 9). Prints one JSON
// line with their base URLs, then serves until SIGTERM or SIGINT and exits 0.
#include <signal.h>

#include <iostream>

#include "cmd/provider-sim/options.h"
#include "sim/core/simulator.h"

namespace {

// Blocks the stop signals in every thread (the server threads inherit the
// mask), so that the main thread can wait for them with sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  wsop::Outcome<wsop::provider_sim::Invocation> invocation =
      wsop::provider_sim::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!invocation) {
    std::cerr << "provider-sim: " << invocation.status().message() << "\n";
    return 2;
  }
  if (invocation->help) {
    std::cout << invocation->usage;
    return 0;
  }
  sigset_t stop_signals = block_stop_signals();
  wsop::sim::Simulator simulator(std::move(invocation->config));
  if (wsop::Status s = simulator.start(); !s) {
    std::cerr << "provider-sim: " << s.message() << "\n";
    return 1;
  }
  std::cout << simulator.endpoints_json() << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  simulator.stop();
  return 0;
}
