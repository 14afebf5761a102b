// The loader's side of a provider's spec block (providers/descriptor.h): a
// SpecBlockReader over one map of the YAML tree, reporting through the
// document's Reader, so that a provider's errors carry the positions and
// paths the loader's own fields do. Also the one place the loader decodes
// a spec.<type> block with the registered descriptors.
#pragma once

#include <string>

#include "controller/manifest/reader.h"
#include "providers/descriptor.h"

namespace wsop::manifest {

class SpecBlockTreeReader : public providers::SpecBlockReader {
 public:
  // block: a map (the caller has checked); path: "spec.paradigm".
  SpecBlockTreeReader(Reader& reader, const YamlNode& block, std::string path)
      : reader_(reader), block_(block), path_(std::move(path)) {}

  const std::string& path() const override { return path_; }
  void reject_unknown(std::initializer_list<std::string_view> known) override;
  bool has(std::string_view key) const override;
  bool required(std::string_view key) override;
  std::optional<std::string> string(std::string_view key) override;
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) override;
  std::optional<bool> boolean(std::string_view key) override;
  std::optional<std::string> one_of(std::string_view key,
                                    std::initializer_list<std::string_view> allowed) override;
  void error(std::string_view key, std::string message) override;

 private:
  std::string field(std::string_view key) const { return join_path(path_, key); }

  Reader& reader_;
  const YamlNode& block_;
  std::string path_;
};

// Decodes the spec.<name> block at node with codec (null when node is not a
// map). The caller reports whether the block is allowed where it is.
std::shared_ptr<const model::ProviderSpecBlock> decode_spec_block(Reader& reader, const YamlNode& node,
                                          const std::string& name,
                                          const providers::SpecBlockCodec& codec);

}  // namespace wsop::manifest
