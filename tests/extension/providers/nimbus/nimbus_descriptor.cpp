#include "tests/extension/providers/nimbus/nimbus_descriptor.h"

#include <memory>

#include "tests/extension/providers/nimbus/nimbus_provider.h"

namespace wsop::providers::nimbus {
namespace {

using ManifestJson = nlohmann::ordered_json;

// "eu-1", "us-12": lower-case letters, one dash, digits.
bool is_region(const std::string& text) {
  size_t dash = text.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = i < dash ? (c >= 'a' && c <= 'z') : i == dash || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::shared_ptr<const model::ProviderSpecBlock> decode_nimbus_spec(SpecBlockReader& reader) {
  auto out = std::make_shared<WorkspaceSpec>();
  reader.reject_unknown({"region", "tier"});
  if (reader.required("region")) {
    if (auto text = reader.string("region")) {
      if (!is_region(*text)) {
        reader.error("region", "\"" + *text + "\" is not a Nimbus region (such as eu-1)");
      }
      out->region = *text;
    }
  }
  out->tier = reader.one_of("tier", {"standard", "premium"});
  return out;
}

ManifestJson render_nimbus_spec(const model::ProviderSpecBlock& block) {
  const auto& spec = dynamic_cast<const WorkspaceSpec&>(block);
  ManifestJson out = {{"region", spec.region}};
  if (spec.tier) out["tier"] = *spec.tier;
  return out;
}

}  // namespace

const WorkspaceSpec* spec_of(const model::Workspace& desired) {
  return dynamic_cast<const WorkspaceSpec*>(desired.provider_spec(kTypeName));
}

const Capabilities& type_capabilities() {
  static const Capabilities kCapabilities = [] {
    Capabilities can;
    can.description = false;
    can.native_external_id = true;
    return can;
  }();
  return kCapabilities;
}

std::string check_remote_id(const std::string& id) {
  bool digits = id.size() > 3 && id.find_first_not_of("0123456789", 3) == std::string::npos;
  return id.rfind("nb-", 0) == 0 && digits ? "" : "must be \"nb-\" followed by digits";
}

ProviderDescriptor descriptor() {
  ProviderDescriptor d;
  d.name = kTypeName;
  d.title = "Nimbus";
  d.default_base_url = "https://api.nimbus.invalid";
  d.capabilities = type_capabilities();
  d.workspace_block = SpecBlockCodec{decode_nimbus_spec, render_nimbus_spec, "region"};
  d.check_remote_id = check_remote_id;
  d.max_display_name_length = 64;
  d.make = make_provider;
  return d;
}

}  // namespace wsop::providers::nimbus
