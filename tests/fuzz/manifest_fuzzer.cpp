// libFuzzer target for the manifest loader and validator: any byte string
// must give a valid set or diagnostics with positions, never a crash, a hang
// or unbounded memory (issue 2's limits). Seeds: tests/fixtures/manifests.
#include <cstddef>
#include <cstdint>
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
  if (result.ok()) {
    // A valid set renders, and the rendering loads back to the same model.
    std::string json = wsop::manifest::to_manifest_list(result.set).dump();
    auto again = wsop::manifest::load_texts({{"again.json", json}});
    if (!again.ok() || wsop::manifest::to_manifest_list(again.set).dump() != json) __builtin_trap();
  }
  return 0;
}
