// The Paradigm simulator's registration (sim/core/registry.h): its section
// of provider-sim's configuration, its flags and their checks.
//
//   paradigm: {address: 127.0.0.1, port: 0, tokens: [...], faults: {...},
//              companies: [{id: 1, name: Acme}, {id: 2, name: Beta}],
//              tokenCompanies: {t2: 2},   # the company a token's list shows (default 1)
//              readonlyTokens: [t3]}      # tokens whose creates answer 403
//   (tokens named in tokenCompanies or readonlyTokens are accepted too)
//
//   --paradigm-company ID[=NAME], --paradigm-token TOKEN=COMPANY_ID,
//   --paradigm-readonly-token TOKEN, each repeatable.
#pragma once

#include <string_view>

#include "sim/core/config.h"
#include "sim/core/registry.h"
#include "sim/paradigm/paradigm_sim.h"

namespace wsop::sim::paradigm {

inline constexpr std::string_view kName = "paradigm";

SimulatorDescriptor descriptor();

// The Paradigm options of a configuration whose registry has this
// simulator (SimConfig::at).
SimOptions& options_of(SimConfig& config);
const SimOptions& options_of(const SimConfig& config);

}  // namespace wsop::sim::paradigm
