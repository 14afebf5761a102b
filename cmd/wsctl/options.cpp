#include "cmd/wsctl/options.h"

#include <ostream>

namespace wsop::cli {

void add_filename_option(po::options_description& options) {
  options.add_options()(
      "filename,f", po::value<std::vector<std::string>>()->composing(),
      "manifest file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin; repeatable");
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
  try {
    po::command_line_parser parser(args);
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
