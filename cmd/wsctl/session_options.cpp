#include "cmd/wsctl/session_options.h"

#include <ostream>

#include "cmd/wsctl/label_selector.h"
#include "controller/manifest/rules.h"

namespace wsop::cli {

void add_session_options(po::options_description& options) {
  add_filename_option(options);
  options.add_options()("state", po::value<std::string>()->default_value("./.wsctl/state.db"),
                        "state store file")(
      "init", po::bool_switch(),
      "start a new state store even where --state names an existing file that holds none")(
      "instance-id", po::value<std::string>()->default_value("default"),
      "this operator instance: it prunes only what it created or adopted")(
      "selector,l", po::value<std::string>()->default_value(""),
      "only workspaces whose labels match (k=v,k2!=v2,k3 in (a,b),!k4)");
  add_credential_options(options);
}

std::optional<int> session_options_from(const po::variables_map& values,
                                        runtime::SessionOptions& out, Io io, bool files_required) {
  if (values.count("filename")) out.files = values["filename"].as<std::vector<std::string>>();
  out.provider_config_paths = provider_config_paths(values);
  out.state.path = values["state"].as<std::string>();
  out.state.init = values["init"].as<bool>();
  out.instance_id = values["instance-id"].as<std::string>();
  auto selector = LabelSelector::parse(values["selector"].as<std::string>());
  if (!selector) {
    io.err << "wsctl: -l: " << selector.status().message() << "\n";
    return kExitInvalid;
  }
  out.selects = [selector = *selector](const std::map<std::string, std::string>& labels) {
    return selector.matches(labels);
  };
  if (auto exit = credential_policy_from(values, "", out.credentials, io)) return exit;
  // The instance id is a Cadenya label value (the ownership label).
  if (auto problem = manifest::check_label_value(out.instance_id);
      !problem.empty() || out.instance_id.empty()) {
    io.err << "wsctl: --instance-id: " << (problem.empty() ? "must not be empty" : problem) << "\n";
    return kExitInvalid;
  }
  if (out.files.empty() && files_required) {
    io.err << "wsctl: at least one -f PATH is required\n";
    return kExitInvalid;
  }
  return std::nullopt;
}

}  // namespace wsop::cli
