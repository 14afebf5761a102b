#include "cmd/provider-sim/options.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdint>
#include <sstream>

#include "common/duration.h"
#include "providers/sim/ids.h"

namespace wsop::provider_sim {
namespace {

namespace po = boost::program_options;
using Strings = std::vector<std::string>;

po::options_description describe() {
  po::options_description d("provider-sim: the Paradigm, Cadenya and Aether APIs on loopback");
  d.add_options()("help,h", "show this help")("config", po::value<std::string>(),
                                              "YAML configuration file (read before the flags)")(
      "paradigm-listen", po::value<std::string>(), "ADDRESS:PORT of Paradigm (port 0: a free one)")(
      "cadenya-listen", po::value<std::string>(), "ADDRESS:PORT of Cadenya")(
      "aether-listen", po::value<std::string>(), "ADDRESS:PORT of Aether")(
      "threads", po::value<int>(), "server threads per provider (default 2)")(
      "token", po::value<Strings>()->composing(),
      "accepted bearer token, repeatable (default: any)")(
      "cadenya-admin-token", po::value<Strings>()->composing(),
      "Cadenya admin token, repeatable (default: every accepted token)")(
      "paradigm-company", po::value<Strings>()->composing(),
      "ID[=NAME] of a Paradigm company, repeatable (default: 1)")(
      "paradigm-token", po::value<Strings>()->composing(),
      "TOKEN=COMPANY_ID: an accepted Paradigm token and the company its list shows, "
      "repeatable (other tokens: company 1)")(
      "paradigm-readonly-token", po::value<Strings>()->composing(),
      "an accepted Paradigm token whose creates answer 403, repeatable")(
      "aether-project", po::value<Strings>()->composing(), "UUID of an Aether project, repeatable")(
      "aether-creating-delay", po::value<std::string>(), "creating -> starting (default 1s)")(
      "aether-starting-delay", po::value<std::string>(), "starting -> running (default 1s)")(
      "aether-stopping-delay", po::value<std::string>(), "stopping -> stopped (default 500ms)")(
      "aether-error-rate", po::value<double>(), "share of Aether creates ending in `error` (0..1)")(
      "aether-idle-stop", po::value<std::string>(),
      "stop idle workspaces without keep_active after this long (default: never)")(
      "aether-default-hardware", po::value<std::string>(),
      "the account's default hardware, any subset of "
      "cpu_kind=K,cpus=N,memory_mb=N,volume_size_gb=N (default shared,2,2048,10)")(
      "faults", po::value<std::string>(), "initial faults of all three, as PUT /_sim/faults JSON")(
      "tls-cert", po::value<std::string>(), "serve HTTPS with this certificate chain (PEM)")(
      "tls-key", po::value<std::string>(), "... and this private key (PEM)");
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

Status read_delay(const po::variables_map& vm, const char* name, std::chrono::milliseconds* out) {
  if (!vm.count(name)) return Status::ok();
  Outcome<Millis> d = parse_duration(vm[name].as<std::string>());
  if (!d) return d.status().with_context(std::string("--") + name);
  *out = *d;
  return Status::ok();
}

Status invalid(const std::string& message) {
  return Status::error(Code::kInvalid, message);
}

template <class T>
bool parse_number(const std::string& text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// "cpu_kind=performance,cpus=4,memory_mb=4096,volume_size_gb=20", any subset,
// over *hw; the result must be hardware the simulated account accepts.
Status read_hardware(const std::string& text, aether::SimHardware* hw) {
  const std::string flag = "--aether-default-hardware: ";
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) return invalid(flag + "expected KEY=VALUE, got \"" + item + "\"");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    bool ok = true;
    if (key == "cpu_kind") {
      hw->cpu_kind = value;
    } else if (key == "cpus") {
      ok = parse_number(value, &hw->cpus);
    } else if (key == "memory_mb") {
      ok = parse_number(value, &hw->memory_mb);
    } else if (key == "volume_size_gb") {
      ok = parse_number(value, &hw->volume_size_gb);
    } else {
      return invalid(flag + "unknown key \"" + key +
                     "\" (expected cpu_kind, cpus, memory_mb, volume_size_gb)");
    }
    if (!ok) return invalid(flag + key + " must be an integer, got \"" + value + "\"");
  }
  if (std::optional<std::string> problem = aether::hardware_problem(*hw)) {
    return invalid(flag + *problem);
  }
  return Status::ok();
}

Status apply_lists(const po::variables_map& vm, sim::SimConfig& c) {
  if (vm.count("token")) {
    std::set<std::string> tokens;
    for (const std::string& t : vm["token"].as<Strings>()) tokens.insert(t);
    c.paradigm.auth.tokens = c.cadenya.auth.tokens = c.aether.auth.tokens = tokens;
  }
  if (vm.count("cadenya-admin-token")) {
    for (const std::string& t : vm["cadenya-admin-token"].as<Strings>())
      c.cadenya.auth.admin_tokens.insert(t);
  }
  if (vm.count("paradigm-company")) {
    c.paradigm.companies.clear();
    for (const std::string& text : vm["paradigm-company"].as<Strings>()) {
      std::size_t eq = text.find('=');
      paradigm::SimCompany company;
      try {
        company.id = std::stoll(text.substr(0, eq));
      } catch (const std::exception&) {
        return Status::error(Code::kInvalid, "--paradigm-company: bad id in " + text);
      }
      company.name =
          eq == std::string::npos ? "Company " + std::to_string(company.id) : text.substr(eq + 1);
      c.paradigm.companies.push_back(company);
    }
  }
  if (vm.count("aether-project")) {
    c.aether.projects = vm["aether-project"].as<Strings>();
    for (const std::string& p : c.aether.projects) {
      if (!sim::is_uuid(p))
        return Status::error(Code::kInvalid, "--aether-project: not a UUID: " + p);
    }
  }
  return Status::ok();
}

// --paradigm-token TOKEN=COMPANY_ID (the last '=' splits: tokens may end in
// base64 padding) and --paradigm-readonly-token TOKEN, added to the config
// file's. Messages never repeat a token (common/status.h).
Status apply_paradigm_tokens(const po::variables_map& vm, paradigm::SimOptions& p) {
  if (vm.count("paradigm-token")) {
    for (const std::string& text : vm["paradigm-token"].as<Strings>()) {
      std::size_t eq = text.rfind('=');
      std::int64_t company = 0;
      if (eq == std::string::npos || eq == 0) {
        return invalid("--paradigm-token: expected TOKEN=COMPANY_ID");
      }
      if (!parse_number(text.substr(eq + 1), &company)) {
        return invalid("--paradigm-token: bad company id \"" + text.substr(eq + 1) + "\"");
      }
      p.token_companies[text.substr(0, eq)] = company;
    }
  }
  if (vm.count("paradigm-readonly-token")) {
    for (const std::string& token : vm["paradigm-readonly-token"].as<Strings>()) {
      if (token.empty()) return invalid("--paradigm-readonly-token: a token must not be empty");
      p.readonly_tokens.insert(token);
    }
  }
  return Status::ok();
}

Status apply_flags(const po::variables_map& vm, sim::SimConfig& c) {
  const std::pair<const char*, sim::Listen*> listens[] = {{"paradigm-listen", &c.paradigm_listen},
                                                          {"cadenya-listen", &c.cadenya_listen},
                                                          {"aether-listen", &c.aether_listen}};
  for (const auto& [name, listen] : listens) {
    if (!vm.count(name)) continue;
    if (Status s = read_listen(vm[name].as<std::string>(), listen); !s)
      return s.with_context(std::string("--") + name);
  }
  if (vm.count("threads")) c.threads = std::max(1, vm["threads"].as<int>());
  if (Status s = apply_lists(vm, c); !s) return s;
  if (Status s = apply_paradigm_tokens(vm, c.paradigm); !s) return s;
  if (vm.count("aether-default-hardware")) {
    std::string text = vm["aether-default-hardware"].as<std::string>();
    if (Status s = read_hardware(text, &c.aether.default_hardware); !s) return s;
  }
  for (auto [name, out] : {std::pair{"aether-creating-delay", &c.aether.creating_delay},
                           std::pair{"aether-starting-delay", &c.aether.starting_delay},
                           std::pair{"aether-stopping-delay", &c.aether.stopping_delay},
                           std::pair{"aether-idle-stop", &c.aether.idle_stop}}) {
    if (Status s = read_delay(vm, name, out); !s) return s;
  }
  if (vm.count("aether-error-rate")) c.aether.error_rate = vm["aether-error-rate"].as<double>();
  if (c.aether.error_rate < 0 || c.aether.error_rate > 1)
    return Status::error(Code::kInvalid, "--aether-error-rate must be from 0 to 1");
  if (vm.count("faults")) {
    nlohmann::json body = nlohmann::json::parse(vm["faults"].as<std::string>(), nullptr, false);
    Outcome<sim::Faults> f = sim::faults_from_json(body, c.paradigm_listen.faults);
    if (!f) return f.status().with_context("--faults");
    c.paradigm_listen.faults = c.cadenya_listen.faults = c.aether_listen.faults = *f;
  }
  if (vm.count("tls-cert")) c.tls_cert_file = vm["tls-cert"].as<std::string>();
  if (vm.count("tls-key")) c.tls_key_file = vm["tls-key"].as<std::string>();
  return Status::ok();
}

}  // namespace

Outcome<Invocation> parse_command_line(const std::vector<std::string>& args) {
  po::options_description description = describe();
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(description).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::error(Code::kInvalid, e.what());
  }
  Invocation out;
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
