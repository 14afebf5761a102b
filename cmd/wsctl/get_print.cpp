#include "cmd/wsctl/get_print.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ostream>

#include "controller/reconcile/status_json.h"

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

void print_table_rows(const std::vector<state::WorkspaceRecord>& records, bool wide,
                      std::ostream& out) {
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
        c.synced.status != model::ConditionStatus::kTrue ? c.synced.reason : c.ready.reason;
    std::vector<std::string> row = {r.key.ns,
                                    r.key.name,
                                    r.provider_config,
                                    r.remote_id.value_or("<none>"),
                                    model::to_string(c.ready.status),
                                    model::to_string(c.synced.status),
                                    reason.empty() ? "-" : reason,
                                    age(r.last_applied_at)};
    if (wide) {
      std::string message =
          c.synced.status != model::ConditionStatus::kTrue ? c.synced.message : c.ready.message;
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

state::WorkspaceRecord displayed(state::WorkspaceRecord record) {
  // A paused workspace is not being reconciled: whatever Ready said when it
  // was last reconciled may no longer hold, so it shows as Unknown, Paused
  // (as Crossplane shows a paused resource). The stored record is unchanged.
  if (record.paused) {
    record.conditions.ready.status = model::ConditionStatus::kUnknown;
    record.conditions.ready.reason = "Paused";
    record.conditions.ready.message =
        "reconciliation is paused by the workspace-operator.io/paused annotation";
  }
  return record;
}

void print_records(const std::vector<state::WorkspaceRecord>& records, const std::string& output,
                   std::ostream& out) {
  if (output == "json") {
    out << reconcile::workspace_status_list(records).dump(2) << "\n";
  } else if (output == "yaml") {
    YAML::Emitter emitter;
    emit_yaml(reconcile::workspace_status_list(records), emitter);
    out << emitter.c_str() << "\n";
  } else if (output == "name") {
    // kubectl's resource.group/name, without the namespace as kubectl prints it.
    for (const auto& r : records) out << "workspace.workspace-operator.io/" << r.key.name << "\n";
  } else {
    print_table_rows(records, output == "wide", out);
  }
}

}  // namespace wsop::cli
