// What a provider type registers by name (providers/registry.h), as an
// Envoy extension registers its factory: everything the core needs to know
// about a type without naming it. The type's name, its default base URL and
// capabilities, the decoding, validation and rendering of its own spec
// blocks (a Workspace's and a ProviderConfig's spec.<name>), the checks of
// the fields whose rules are its own, and the factory of its client. A
// provider's folder (providers/<name>/) defines its descriptor; registry.cpp
// lists one line per provider; the manifest loader, the validator, the
// renderer, the plans and the state store reach a type only through here.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/v1alpha1/types.h"
#include "common/status.h"
#include "providers/provider.h"

namespace wsop::http {
class Client;
}

namespace wsop::providers {

struct ProviderContext;

// How a descriptor reads its spec block from a manifest. The loader
// implements it over its YAML tree and diagnostics
// (controller/manifest/spec_block_reader.h), so that a provider reports its
// errors with the same positions, field paths and wording as the loader's
// own fields, without including the loader. Every read takes a key of the
// block; an error is reported at that key's value, under the path
// "<block path>.<key>".
class SpecBlockReader {
 public:
  virtual ~SpecBlockReader() = default;

  // "spec.paradigm": the block's field path.
  virtual const std::string& path() const = 0;

  // Reports every key of the block that is not in known, at the key.
  virtual void reject_unknown(std::initializer_list<std::string_view> known) = 0;
  virtual bool has(std::string_view key) const = 0;
  // True when key is present; else false, with an error at the block.
  virtual bool required(std::string_view key) = 0;

  // Nothing when key is absent (no error) or has the wrong type or range
  // (an error at it).
  virtual std::optional<std::string> string(std::string_view key) = 0;
  virtual std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) = 0;
  virtual std::optional<bool> boolean(std::string_view key) = 0;
  // One of allowed, spelled exactly.
  virtual std::optional<std::string> one_of(std::string_view key,
                                            std::initializer_list<std::string_view> allowed) = 0;

  // An error of the provider's own rules at key's value.
  virtual void error(std::string_view key, std::string message) = 0;
};

// One spec.<name> block kind (a Workspace's or a ProviderConfig's).
struct SpecBlockCodec {
  // Reads the block (known to be a map), reporting every problem to the
  // reader; returns what it could read, which is used only when nothing
  // was reported.
  std::function<std::shared_ptr<const model::ProviderSpecBlock>(SpecBlockReader&)> decode;
  // The block as a manifest spells it, loading back to the same block;
  // null when it has nothing to show (then spec.<name> is left out).
  std::function<nlohmann::ordered_json(const model::ProviderSpecBlock&)> render;
  // Non-empty: every Workspace of this type must have the block, and the
  // error says what it must hold ("companyId").
  std::string required_fields;
};

using ProviderFactory = std::function<Outcome<std::unique_ptr<Provider>>(
    const model::ProviderConfig&, std::unique_ptr<http::Client>, const ProviderContext&)>;

struct ProviderDescriptor {
  // spec.type's value, the spec block's key and what the state store, the
  // Kubernetes record and plans persist: never rename a registered one.
  std::string name;
  std::string title;  // "Paradigm", for messages
  std::string default_base_url;
  Capabilities capabilities;
  std::optional<SpecBlockCodec> workspace_block;
  std::optional<SpecBlockCodec> config_block;
  // The problem with the remote id an external-name annotation names
  // (a type whose ids have a syntax), or an empty string.
  std::function<std::string(const std::string& id)> check_remote_id;
  // The longest displayName the server takes, in characters after its trim.
  std::optional<size_t> max_display_name_length;
  ProviderFactory make;

  model::ProviderType type() const { return model::ProviderType(name); }
};

// The fields `workspace` sets that a provider with capabilities `can` never
// receives ("spec.description" when it has no description): kept in the
// manifest only, so a change to them changes nothing remotely
// (docs/PROVIDERS.md).
std::vector<std::string> local_only_fields(const model::Workspace& workspace,
                                           const Capabilities& can);

}  // namespace wsop::providers
