#include "providers/cadenya/cadenya_descriptor.h"

#include "providers/cadenya/cadenya_provider.h"

namespace wsop::providers::cadenya {

const Capabilities& type_capabilities() {
  static const Capabilities kCapabilities = [] {
    Capabilities can;
    can.native_external_id = true;
    can.labels = true;
    can.list_shows_all = false;
    return can;
  }();
  return kCapabilities;
}

ProviderDescriptor descriptor() {
  ProviderDescriptor d;
  d.name = kTypeName;
  d.title = "Cadenya";
  d.default_base_url = "https://api.cadenya.com";
  d.capabilities = type_capabilities();
  d.make = make_provider;
  return d;
}

}  // namespace wsop::providers::cadenya
