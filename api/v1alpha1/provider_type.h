// What the API types hold of a provider without knowing any: its type's
// name and its own opaque spec blocks (providers/descriptor.h reads them).
#pragma once

#include <compare>
#include <map>
#include <memory>
#include <string>

namespace wsop::model {

// A provider type: the name its descriptor is registered under
// (providers/registry.h), as spec.type, the state store, the Kubernetes
// record and plans spell it. The model knows no provider: whether a name is
// registered is the registry's business; an empty name is no type (a
// ProviderConfig whose spec.type failed to decode).
class ProviderType {
 public:
  ProviderType() = default;
  explicit ProviderType(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  bool empty() const { return name_.empty(); }
  auto operator<=>(const ProviderType&) const = default;

 private:
  std::string name_;
};
inline const std::string& to_string(const ProviderType& type) {
  return type.name();
}
// A temporary's name is copied out (Provider::type() returns by value): a
// reference into it would dangle once the expression ends.
inline std::string to_string(ProviderType&& type) {
  return type.name();
}

// A provider's own block of a manifest (a Workspace's or a ProviderConfig's
// spec.<type>): decoded, validated and rendered by that provider's
// descriptor (providers/descriptor.h), which derives its typed block from
// this class and reads it back through its own code (providers/<type>/).
// The model holds it without knowing its type; it is immutable once decoded.
class ProviderSpecBlock {
 public:
  virtual ~ProviderSpecBlock() = default;
};

// The spec.<type> blocks as loaded, by provider type name, so that a
// Workspace carrying another type's block is still reported against the
// ProviderConfig it refers to. A block is null when it was present but
// failed to decode (its errors are reported; the document is invalid).
using ProviderSpecParts = std::map<std::string, std::shared_ptr<const ProviderSpecBlock>>;

}  // namespace wsop::model
