#include "cmd/provider-sim/options.h"

#include <boost/program_options.hpp>
#include <cstdint>
#include <sstream>

#include "sim/registry.h"

namespace wsop::provider_sim {
namespace {

namespace po = boost::program_options;
using Strings = std::vector<std::string>;

// "the Paradigm, Cadenya and Aether APIs", from the registry.
std::string titles(const sim::Registry& registry) {
  std::string out;
  const auto& all = registry.all();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += i + 1 == all.size() ? " and " : ", ";
    out += all[i].title;
  }
  return out;
}

po::options_description describe(const sim::Registry& registry) {
  po::options_description d("provider-sim: the " + titles(registry) + " APIs on loopback");
  auto add = d.add_options();
  add("help,h", "show this help");
  add("config", po::value<std::string>(), "YAML configuration file (read before the flags)");
  for (const sim::SimulatorDescriptor& s : registry.all()) {
    add((s.name + "-listen").c_str(), po::value<std::string>(),
        ("ADDRESS:PORT of " + s.title + " (port 0: a free one)").c_str());
  }
  add("threads", po::value<int>(), "server threads per provider (default 2)");
  add("token", po::value<Strings>()->composing(),
      "accepted bearer token, repeatable (default: any)");
  for (const sim::SimulatorDescriptor& s : registry.all()) {
    for (const sim::SimulatorFlag& flag : s.flags) {
      using Kind = sim::SimulatorFlag::Kind;
      po::value_semantic* value = nullptr;
      switch (flag.kind) {
        case Kind::kTexts: value = po::value<Strings>()->composing(); break;
        case Kind::kNumber: value = po::value<double>(); break;
        case Kind::kText: value = po::value<std::string>(); break;
      }
      add(flag.name.c_str(), value, flag.help.c_str());
    }
  }
  add("faults", po::value<std::string>(),
      "initial faults of every provider, as PUT /_sim/faults JSON");
  add("tls-cert", po::value<std::string>(), "serve HTTPS with this certificate chain (PEM)");
  add("tls-key", po::value<std::string>(), "... and this private key (PEM)");
  return d;
}

Status read_listen(const std::string& text, sim::Listen* listen) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos)
    return Status::error(Code::kInvalid, "expected ADDRESS:PORT, got " + text);
  std::string host = text.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    int port = std::stoi(text.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    listen->address = host;
    listen->port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return Status::error(Code::kInvalid, "bad port in " + text);
  }
  return Status::ok();
}

// The flags each simulator registered, in the registry's order.
Status apply_simulator_flags(const po::variables_map& vm, sim::SimConfig& c) {
  for (sim::SimulatorConfig& section : c.simulators) {
    const sim::SimulatorDescriptor* descriptor = c.registry->find(section.name);
    if (!descriptor) continue;
    for (const sim::SimulatorFlag& flag : descriptor->flags) {
      if (!vm.count(flag.name)) continue;
      sim::FlagValue value;
      switch (flag.kind) {
        case sim::SimulatorFlag::Kind::kTexts: value.texts = vm[flag.name].as<Strings>(); break;
        case sim::SimulatorFlag::Kind::kNumber: value.number = vm[flag.name].as<double>(); break;
        case sim::SimulatorFlag::Kind::kText:
          value.texts = {vm[flag.name].as<std::string>()};
          break;
      }
      if (Status s = flag.apply(value, section); !s) return s;
    }
  }
  return Status::ok();
}

Status apply_flags(const po::variables_map& vm, sim::SimConfig& c) {
  for (sim::SimulatorConfig& section : c.simulators) {
    const std::string name = section.name + "-listen";
    if (!vm.count(name)) continue;
    if (Status s = read_listen(vm[name].as<std::string>(), &section.listen); !s)
      return s.with_context("--" + name);
  }
  if (vm.count("threads")) c.threads = std::max(1, vm["threads"].as<int>());
  if (vm.count("token")) {
    std::set<std::string> tokens;
    for (const std::string& t : vm["token"].as<Strings>()) tokens.insert(t);
    for (sim::SimulatorConfig& section : c.simulators) section.auth.tokens = tokens;
  }
  if (Status s = apply_simulator_flags(vm, c); !s) return s;
  if (vm.count("faults") && !c.simulators.empty()) {
    nlohmann::json body = nlohmann::json::parse(vm["faults"].as<std::string>(), nullptr, false);
    Outcome<sim::Faults> f = sim::faults_from_json(body, c.simulators.front().listen.faults);
    if (!f) return f.status().with_context("--faults");
    for (sim::SimulatorConfig& section : c.simulators) section.listen.faults = *f;
  }
  if (vm.count("tls-cert")) c.tls_cert_file = vm["tls-cert"].as<std::string>();
  if (vm.count("tls-key")) c.tls_key_file = vm["tls-key"].as<std::string>();
  return Status::ok();
}

}  // namespace

Outcome<Invocation> parse_command_line(const std::vector<std::string>& args) {
  Invocation out;
  out.config = sim::builtin_config();
  po::options_description description = describe(*out.config.registry);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(description).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::error(Code::kInvalid, e.what());
  }
  std::ostringstream usage;
  usage << description;
  out.usage = usage.str();
  out.help = vm.count("help") > 0;
  if (vm.count("config")) {
    Outcome<sim::SimConfig> config =
        sim::load_config_file(vm["config"].as<std::string>(), out.config);
    if (!config) return config.status();
    out.config = std::move(*config);
  }
  if (Status s = apply_flags(vm, out.config); !s) return s;
  if (Status s = sim::check_config(out.config); !s) return s;
  return out;
}

}  // namespace wsop::provider_sim
