#include "cmd/wsctl/session_print.h"

#include <ostream>

#include "controller/manifest/manifest_set.h"

namespace wsop::cli {

namespace {

// "FILE:L:C: " of the ProviderConfig's manifest in `set`, or "" when it
// has none there. The one place wsctl reads a resource's source position.
std::string provider_config_position(const manifest::ManifestSet& set, const std::string& name) {
  const auto* declared = set.find_provider_config(name);
  const manifest::DocumentSource* source = declared ? set.source_of(*declared) : nullptr;
  if (!source) return "";
  return source->file_name() + ":" + std::to_string(source->start.line) + ":" +
         std::to_string(source->start.column) + ": ";
}

}  // namespace

void print_unusable(Io io, const std::string& command, const manifest::ManifestSet& set,
                    const std::vector<runtime::UnusableConfig>& unusable,
                    const std::map<std::string, size_t>& workspaces,
                    const std::string& consequence) {
  for (const auto& config : unusable) {
    auto n = workspaces.find(config.name);
    io.err << "wsctl " << command << ": " << provider_config_position(set, config.name)
           << "ProviderConfig \"" << config.name << "\" " << config.why.message();
    if (n != workspaces.end() && n->second > 0) {
      io.err << "; its " << n->second << " workspace(s) " << consequence;
    }
    io.err << "\n";
  }
}

std::unique_ptr<runtime::Session> open_session(const runtime::SessionOptions& options, Io io,
                                               int& exit_code) {
  exit_code = kExitInvalid;
  manifest::LoadResult loaded = runtime::load_source(options, io.in);
  for (const auto& error : loaded.errors) io.err << error.to_string() << "\n";
  if (!loaded.ok()) {
    io.err << loaded.errors.size() << " error(s): nothing was applied\n";
    return nullptr;
  }
  for (const auto& warning : loaded.warnings) io.err << warning.to_string() << "\n";
  // A provider that cannot be made is reported by the command that needs
  // it (set_aside_unusable), once.
  auto session = runtime::Session::open(options, std::move(loaded.set));
  if (!session) {
    io.err << "wsctl: " << session.status().message() << "\n";
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(*session);
}

std::unique_ptr<runtime::Session> open_records(const runtime::SessionOptions& options,
                                               const std::string& command, Io io, int& exit_code) {
  exit_code = kExitInvalid;
  auto session = runtime::Session::open_records(options);
  if (!session) {
    io.err << "wsctl " << command << ": " << session.status().message() << "\n";
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(*session);
}

}  // namespace wsop::cli
