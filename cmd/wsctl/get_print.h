// How `wsctl get` prints the records it selected: a kubectl-like table
// (wide adds columns), kubectl's `-o name`, or the status JSON/YAML of
// controller/reconcile/status_json.h.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "controller/state/state_store.h"

namespace wsop::cli {

// The output formats of `get -o`; "" is the table.
inline constexpr const char* kGetOutputs[] = {"", "wide", "name", "json", "yaml"};

// The record as shown: a paused one has Ready Unknown with reason Paused,
// derived here from its paused flag (the reconciler stores what it saw).
state::WorkspaceRecord displayed(state::WorkspaceRecord record);

// Prints records in `output` (one of kGetOutputs).
void print_records(const std::vector<state::WorkspaceRecord>& records, const std::string& output,
                   std::ostream& out);

}  // namespace wsop::cli
