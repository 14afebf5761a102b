// wsctl validate: strict checks with every error's position; nothing is sent
// anywhere. Exit 0 valid, 2 invalid.
#include <ostream>

#include "cmd/wsctl/options.h"
#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"

namespace wsop::cli {

int run_validate(const Args& args, Io io) {
  po::options_description options("Options");
  add_filename_option(options);
  add_credential_options(options);
  options.add_options()("output,o", po::value<std::string>()->default_value(""),
                        "json: print the normalised model with defaults filled in");
  po::variables_map values;
  if (auto exit =
          parse_options("validate", "-f PATH [-f PATH...] [-o json] [--credentials-dir DIR...]",
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
  return kExitOk;
}

}  // namespace wsop::cli
