// wsctl validate: strict checks with every error's position; nothing is sent
// anywhere, unless --check-credentials asks each ProviderConfig's account
// for its list once (the token, its rights and the TLS trust put to use).
// Exit 0 valid, 2 invalid or a ProviderConfig that cannot be used.
#include <ostream>

#include "cmd/wsctl/options.h"
#include "cmd/wsctl/session_print.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"

namespace wsop::cli {

namespace {

// One list per ProviderConfig of the source, as diff would send it
// (runtime::Session::check_accounts, over the composition root every
// command shares).
int check_credentials(manifest::ManifestSet set, const http::CredentialPolicy& policy,
                      bool print_summary, Io io) {
  std::map<std::string, size_t> workspaces;
  for (const auto& ws : set.workspaces) ++workspaces[ws.provider_config];
  runtime::SessionOptions options;
  options.credentials = policy;
  auto session = runtime::Session::open_without_store(std::move(options), std::move(set));
  auto unusable = session->check_accounts();
  print_unusable(io, "validate", session->desired().set(), unusable, workspaces,
                 "could not be applied");
  if (!unusable.empty()) return kExitInvalid;
  if (print_summary) {
    io.out << "credentials: " << session->desired().set().provider_configs.size()
           << " ProviderConfig(s) answered\n";
  }
  return kExitOk;
}

}  // namespace

int run_validate(const Args& args, Io io) {
  po::options_description options("Options");
  add_filename_option(options);
  add_credential_options(options);
  options.add_options()("output,o", po::value<std::string>()->default_value(""),
                        "json: print the normalised model with defaults filled in")(
      "check-credentials", po::bool_switch(),
      "also list each ProviderConfig's account once: its token, rights and TLS trust");
  po::variables_map values;
  if (auto exit = parse_options("validate",
                                "-f PATH [-f PATH...] [-o json] [--check-credentials] "
                                "[--credentials-dir DIR...]",
                                options, args, values, io)) {
    return *exit;
  }
  std::string output = values["output"].as<std::string>();
  if (output != "" && output != "json") {
    io.err << "wsctl validate: unsupported output format \"" << output << "\" (use json)\n";
    return kExitInvalid;
  }
  if (!values.count("filename")) {
    io.err << "wsctl validate: at least one -f PATH is required\n";
    return kExitInvalid;
  }
  auto paths = values["filename"].as<std::vector<std::string>>();
  manifest::LoadOptions load_options;
  if (auto exit = credential_policy_from(values, "validate", load_options.credentials, io)) {
    return *exit;
  }
  load_options.provider_config_paths = provider_config_paths(values);
  manifest::LoadResult result = manifest::load_manifests(paths, io.in, load_options);
  for (const auto& error : result.errors) io.err << error.to_string() << "\n";
  if (!result.ok()) {
    io.err << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in "
           << result.files << (result.files == 1 ? " file" : " files") << "\n";
    return kExitInvalid;
  }
  for (const auto& warning : result.warnings) io.err << warning.to_string() << "\n";
  if (output == "json") {
    io.out << manifest::to_manifest_list(result.set).dump(2) << "\n";
  } else {
    io.out << "valid: " << result.set.provider_configs.size() << " ProviderConfig(s), "
           << result.set.workspaces.size() << " Workspace(s) in " << result.files
           << (result.files == 1 ? " file" : " files") << "\n";
  }
  if (values["check-credentials"].as<bool>()) {
    return check_credentials(std::move(result.set), load_options.credentials, output.empty(), io);
  }
  return kExitOk;
}

}  // namespace wsop::cli
