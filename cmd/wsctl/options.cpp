#include "cmd/wsctl/options.h"

#include <ostream>

namespace wsop::cli {
namespace {

// kubectl's --dry-run=client|none|server, for a command whose --dry-run is a
// switch (client side is the only dry run here: nothing is sent to change
// anything). `--dry-run` alone and `=client` mean the switch; `=none` drops
// it. kExitInvalid after a message for `=server` or another value.
std::optional<int> normalise_dry_run(const std::string& command, Args& args, Io io) {
  const std::string prefix = "--dry-run=";
  for (auto it = args.begin(); it != args.end();) {
    if (it->rfind(prefix, 0) != 0) {
      ++it;
      continue;
    }
    std::string mode = it->substr(prefix.size());
    if (mode == "client" || mode == "true") {
      *it++ = "--dry-run";
    } else if (mode == "none" || mode == "false") {
      it = args.erase(it);
    } else {
      io.err << "wsctl " << command << ": --dry-run=" << mode << " is not supported"
             << (mode == "server" ? " (there is no API server to ask: --dry-run=client prints "
                                    "the plan and changes nothing)"
                                  : " (use client or none)")
             << "\n";
      return kExitInvalid;
    }
  }
  return std::nullopt;
}

}  // namespace

void add_filename_option(po::options_description& options) {
  options.add_options()(
      "filename,f", po::value<std::vector<std::string>>()->composing(),
      "manifest file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin; repeatable")(
      "recursive,R", po::bool_switch(),
      "accepted for kubectl's habit; does nothing: directories are always read recursively")(
      "provider-configs", po::value<std::vector<std::string>>()->composing(),
      "file or directory read for its ProviderConfigs only (the Workspaces' ProviderConfigs "
      "kept elsewhere); repeatable");
}

std::vector<std::string> provider_config_paths(const po::variables_map& values) {
  if (!values.count("provider-configs")) return {};
  return values["provider-configs"].as<std::vector<std::string>>();
}

void add_credential_options(po::options_description& options) {
  options.add_options()("credentials-dir", po::value<std::vector<std::string>>()->composing(),
                        "directory whose files a ProviderConfig's credentials.file may name "
                        "(repeatable; none by default; never /proc, /sys or /dev)")(
      "credentials-env-pattern",
      po::value<std::string>()->default_value(http::kDefaultCredentialsEnvPattern),
      "ECMAScript regular expression every credentials.env name must fully match");
}

std::optional<int> credential_policy_from(const po::variables_map& values,
                                          const std::string& command, http::CredentialPolicy& out,
                                          Io io) {
  std::vector<std::string> dirs;
  if (values.count("credentials-dir")) {
    dirs = values["credentials-dir"].as<std::vector<std::string>>();
  }
  auto policy =
      http::CredentialPolicy::create(dirs, values["credentials-env-pattern"].as<std::string>());
  if (!policy) {
    io.err << "wsctl" << (command.empty() ? "" : " " + command) << ": " << policy.status().message()
           << "\n";
    return kExitInvalid;
  }
  out = std::move(*policy);
  return std::nullopt;
}

std::optional<int> parse_options(const std::string& command, const std::string& synopsis,
                                 po::options_description& options, const Args& args,
                                 po::variables_map& values, Io io,
                                 const po::positional_options_description* positional) {
  options.add_options()("help,h", "show this help");
  Args normalised = args;
  if (options.find_nothrow("dry-run", false) != nullptr) {
    if (auto exit = normalise_dry_run(command, normalised, io)) return exit;
  }
  try {
    po::command_line_parser parser(normalised);
    parser.options(options);
    if (positional) {
      parser.positional(*positional);
    } else {
      parser.positional(po::positional_options_description());  // none allowed
    }
    po::store(parser.run(), values);
    po::notify(values);
  } catch (const po::error& e) {
    io.err << "wsctl " << command << ": " << e.what() << "\nUsage: wsctl " << command << " "
           << synopsis << "\n";
    return kExitInvalid;
  }
  if (values.count("help")) {
    io.out << "Usage: wsctl " << command << " " << synopsis << "\n\n" << options;
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace wsop::cli
