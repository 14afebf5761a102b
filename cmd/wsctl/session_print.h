// Opening a one-shot session (controller/runtime/session.h) and printing
// what it reports: the source's errors and warnings, a state store that
// cannot be opened, the ProviderConfigs a run cannot use. The policy is the
// session's; here only the words.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cmd/wsctl/commands.h"
#include "controller/runtime/session.h"

namespace wsop::cli {

// Loads and validates the source and opens the session over it: the
// errors are printed to io.err, and null returned with exit_code 2.
std::unique_ptr<runtime::Session> open_session(const runtime::SessionOptions& options, Io io,
                                               int& exit_code);
// The state store alone (runtime::Session::open_records). Errors are
// printed after "wsctl COMMAND: ".
std::unique_ptr<runtime::Session> open_records(const runtime::SessionOptions& options,
                                               const std::string& command, Io io, int& exit_code);

// Prints one line per unusable config: "wsctl CMD: FILE:L:C: ProviderConfig
// "x" cannot be used: WHY; its N workspace(s) CONSEQUENCE".
// FILE:L:C is the position of the ProviderConfig's manifest in `set`, when
// it has one there.
void print_unusable(Io io, const std::string& command, const manifest::ManifestSet& set,
                    const std::vector<runtime::UnusableConfig>& unusable,
                    const std::map<std::string, size_t>& workspaces,
                    const std::string& consequence);

}  // namespace wsop::cli
