#include "controller/manifest/spec_block_reader.h"

#include "controller/manifest/decode.h"

namespace wsop::manifest {

void SpecBlockTreeReader::reject_unknown(std::initializer_list<std::string_view> known) {
  reader_.reject_unknown(block_, path_, known);
}

bool SpecBlockTreeReader::has(std::string_view key) const {
  return block_.find(key) != nullptr;
}

bool SpecBlockTreeReader::required(std::string_view key) {
  return reader_.required(block_, path_, key) != nullptr;
}

std::optional<std::string> SpecBlockTreeReader::string(std::string_view key) {
  const YamlNode* value = block_.find(key);
  return value ? reader_.string(*value, field(key)) : std::nullopt;
}

std::optional<int64_t> SpecBlockTreeReader::integer(std::string_view key, int64_t min,
                                                    int64_t max) {
  const YamlNode* value = block_.find(key);
  return value ? reader_.integer(*value, field(key), min, max) : std::nullopt;
}

std::optional<bool> SpecBlockTreeReader::boolean(std::string_view key) {
  const YamlNode* value = block_.find(key);
  return value ? reader_.boolean(*value, field(key)) : std::nullopt;
}

std::optional<std::string> SpecBlockTreeReader::one_of(
    std::string_view key, std::initializer_list<std::string_view> allowed) {
  const YamlNode* value = block_.find(key);
  return value ? reader_.one_of(*value, field(key), allowed) : std::nullopt;
}

void SpecBlockTreeReader::error(std::string_view key, std::string message) {
  reader_.error(Reader::mark_of(block_, key), field(key), std::move(message));
}

std::shared_ptr<const model::ProviderSpecBlock> decode_spec_block(
    Reader& reader, const YamlNode& node, const std::string& name,
    const providers::SpecBlockCodec& codec) {
  const std::string path = "spec." + name;
  if (!reader.object(node, path)) return nullptr;
  SpecBlockTreeReader block(reader, node, path);
  return codec.decode(block);
}

}  // namespace wsop::manifest
