// Argument parsing shared by the sub-commands (Boost.ProgramOptions).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cmd/wsctl/commands.h"
#include "providers/http/credential_policy.h"

namespace wsop::cli {

namespace po = boost::program_options;

// Parses args against options. Returns an exit code when the command must
// stop now: kExitOk after printing --help, kExitInvalid after a usage error.
std::optional<int> parse_options(const std::string& command, const std::string& synopsis,
                                 po::options_description& options, const Args& args,
                                 po::variables_map& values, Io io,
                                 const po::positional_options_description* positional = nullptr);

// Adds -f/--filename (repeatable), -R and --provider-configs (repeatable),
// shared by every command that reads manifests.
void add_filename_option(po::options_description& options);
// The --provider-configs paths (manifest::LoadOptions::provider_config_paths).
std::vector<std::string> provider_config_paths(const po::variables_map& values);

// Adds --credentials-dir (repeatable) and --credentials-env-pattern: which
// files and variables a ProviderConfig may take its token from
// (providers/http/credential_policy.h). No directory by default.
void add_credential_options(po::options_description& options);
// kExitInvalid (with a message) when a directory or the pattern is refused.
std::optional<int> credential_policy_from(const po::variables_map& values,
                                          const std::string& command, http::CredentialPolicy& out,
                                          Io io);

}  // namespace wsop::cli
