// wsctl get [workspaces] [NAME...]: what the state store knows, like
// `kubectl get`. Reads only the state store; talks to no provider.
#include <yaml-cpp/yaml.h>

#include <iomanip>
#include <ostream>
#include <sstream>

#include "cmd/wsctl/options.h"
#include "controller/reconcile/status_json.h"
#include "controller/state/sqlite_state_store.h"
#include "providers/support/time.h"

namespace wsop::cli {
namespace {

std::string age(const std::optional<state::Time>& since) {
  if (!since) return "<none>";
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *since)
          .count();
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

void emit_yaml(const nlohmann::ordered_json& json, YAML::Emitter& out) {
  if (json.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, value] : json.items()) {
      out << YAML::Key << key << YAML::Value;
      emit_yaml(value, out);
    }
    out << YAML::EndMap;
  } else if (json.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& value : json) emit_yaml(value, out);
    out << YAML::EndSeq;
  } else if (json.is_string()) {
    out << YAML::DoubleQuoted << json.get<std::string>();
  } else if (json.is_null()) {
    out << YAML::Null;
  } else {
    out << json.dump();
  }
}

// The provider's facts (status.observed.atProvider) as key=value pairs.
std::string at_provider(const state::WorkspaceRecord& r) {
  auto observed = nlohmann::json::parse(r.observed_json, nullptr, false);
  auto facts = observed.is_object() ? observed.find("atProvider") : observed.end();
  if (facts == observed.end() || !facts->is_object()) return "-";
  std::string out;
  for (const auto& [key, value] : facts->items()) {
    out += (out.empty() ? "" : ",") + key + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out.empty() ? "-" : out;
}

void print_table(const std::vector<state::WorkspaceRecord>& records, bool wide, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"NAMESPACE", "NAME",   "PROVIDER", "REMOTE-ID",
                                     "READY",     "SYNCED", "REASON",   "APPLIED"};
  if (wide) {
    header.insert(header.end(), {"EXTERNAL-ID", "ORIGIN", "OWNER", "AT-PROVIDER", "MESSAGE"});
  }
  rows.push_back(header);
  for (const auto& r : records) {
    const auto& c = r.conditions;
    std::string reason =
        c.synced.status != state::ConditionStatus::kTrue ? c.synced.reason : c.ready.reason;
    std::vector<std::string> row = {r.key.ns,
                                    r.key.name,
                                    r.provider_config,
                                    r.remote_id.value_or("<none>"),
                                    state::to_string(c.ready.status),
                                    state::to_string(c.synced.status),
                                    reason.empty() ? "-" : reason,
                                    age(r.last_applied_at)};
    if (wide) {
      std::string message =
          c.synced.status != state::ConditionStatus::kTrue ? c.synced.message : c.ready.message;
      if (message.empty()) message = c.synced.message;  // fields not sent, when nothing else
      row.insert(row.end(), {r.external_id, state::to_string(r.origin), r.owner_instance_id,
                             at_provider(r), message.empty() ? "-" : message});
    }
    rows.push_back(row);
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << "\n";
  }
}

}  // namespace

int run_get(const Args& args, Io io) {
  po::options_description options("Options");
  options.add_options()("state", po::value<std::string>()->default_value("./.wsctl/state.db"),
                        "state store file")(
      "namespace,n", po::value<std::string>()->default_value(""), "only this namespace")(
      "output,o", po::value<std::string>()->default_value(""), "wide, json or yaml")(
      "names", po::value<std::vector<std::string>>(), "workspace names");
  po::positional_options_description positional;
  positional.add("names", -1);
  po::variables_map values;
  if (auto exit = parse_options("get", "[workspaces] [NAME...] [-n NS] [-o wide|json|yaml]",
                                options, args, values, io, &positional)) {
    return *exit;
  }
  std::string output = values["output"].as<std::string>();
  if (output != "" && output != "wide" && output != "json" && output != "yaml") {
    io.err << "wsctl get: unsupported output format \"" << output << "\"\n";
    return kExitInvalid;
  }
  std::vector<std::string> names;
  if (values.count("names")) names = values["names"].as<std::vector<std::string>>();
  if (!names.empty() && (names[0] == "workspaces" || names[0] == "workspace" || names[0] == "ws")) {
    names.erase(names.begin());
  }
  auto store = state::open_sqlite_state_store(values["state"].as<std::string>());
  if (!store) {
    io.err << "wsctl get: " << store.status().message() << "\n";
    return kExitInvalid;
  }
  auto records = (*store)->list({});
  if (!records) {
    io.err << "wsctl get: " << records.status().message() << "\n";
    return kExitInvalid;
  }
  std::string ns = values["namespace"].as<std::string>();
  std::vector<state::WorkspaceRecord> shown;
  for (auto& r : *records) {
    bool name_ok =
        names.empty() || std::find(names.begin(), names.end(), r.key.name) != names.end();
    if (name_ok && (ns.empty() || r.key.ns == ns)) shown.push_back(std::move(r));
  }
  if (output == "json") {
    io.out << reconcile::workspace_status_list(shown).dump(2) << "\n";
  } else if (output == "yaml") {
    YAML::Emitter emitter;
    emit_yaml(reconcile::workspace_status_list(shown), emitter);
    io.out << emitter.c_str() << "\n";
  } else if (shown.empty()) {
    io.err << "No workspaces found.\n";
  } else {
    print_table(shown, output == "wide", io.out);
  }
  return kExitOk;
}

}  // namespace wsop::cli
