// libFuzzer target for the manifest loader and validator (from text, and from
// JSON as the kubernetes mode loads it): any byte string
// must give a valid set or diagnostics with positions, never a crash, a hang
// or unbounded memory (issue 2's limits). Seeds: tests/fixtures/manifests.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/manifest/manifest_set.h"
#include "controller/manifest/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  wsop::manifest::LoadResult result = wsop::manifest::load_texts({{"fuzz.yaml", text}});
  for (const auto& d : result.errors) {
    // Every diagnostic names a place and a non-empty message.
    if (d.file.empty() || d.message.empty()) __builtin_trap();
  }
  // Input that is JSON is also loaded as the kubernetes mode loads an
  // object from the API (manifest::load_json, json_tree.h): the same
  // promises.
  if (auto value = nlohmann::json::parse(text, nullptr, false); !value.is_discarded()) {
    for (const auto& d : wsop::manifest::load_json("fuzz.json", value).errors) {
      if (d.file != "fuzz.json" || d.message.empty()) __builtin_trap();
    }
  }
  if (result.ok()) {
    // A valid set renders, and the rendering loads back to the same model.
    std::string json = wsop::manifest::to_manifest_list(result.set).dump();
    auto again = wsop::manifest::load_texts({{"again.json", json}});
    if (!again.ok() || wsop::manifest::to_manifest_list(again.set).dump() != json) __builtin_trap();
  }
  return 0;
}
