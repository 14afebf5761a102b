// The options every provider-facing command shares (-f, --state, --init,
// --instance-id, -l, --credentials-dir, --credentials-env-pattern), and
// turning them into the options of a one-shot session
// (controller/runtime/session.h).
#pragma once

#include "cmd/wsctl/options.h"
#include "controller/runtime/session.h"

namespace wsop::cli {

void add_session_options(po::options_description& options);
// kExitInvalid (with a message) when a value is wrong, or when no -f is
// given and files_required.
std::optional<int> session_options_from(const po::variables_map& values,
                                        runtime::SessionOptions& out, Io io,
                                        bool files_required = true);

}  // namespace wsop::cli
