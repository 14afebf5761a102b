// The options every provider-facing command shares (-f, --state,
// --instance-id, -l, --credentials-dir, --credentials-env-pattern), and
// turning them into EngineOptions.
#pragma once

#include "cmd/wsctl/engine.h"
#include "cmd/wsctl/options.h"

namespace wsop::cli {

void add_engine_options(po::options_description& options);
// kExitInvalid (with a message) when a value is wrong, or when no -f is
// given and files_required.
std::optional<int> engine_options_from(const po::variables_map& values, EngineOptions& out, Io io,
                                       bool files_required = true);

}  // namespace wsop::cli
