#!/usr/bin/env bash
# Builds the manifest fuzzer with clang and runs it.
#   scripts/fuzz.sh            a short run (60 s), as CI does
#   scripts/fuzz.sh 3600       a long run, in seconds
# The corpus starts from every manifest fixture; crashes are written to
# build-fuzz/crashes/ and belong in tests/fixtures/manifests/invalid/ as
# regression fixtures once fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
bash "$here/scripts/deps.sh" clang libclang-rt-14-dev
build=$here/build-fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$here" -B "$build" $(command -v ninja >/dev/null && echo -G Ninja) \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSOP_FUZZ=ON -DWSOP_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target manifest_fuzzer -j "$(nproc)"
mkdir -p "$build/corpus" "$build/crashes"
find "$here/tests/fixtures/manifests" "$here/tests/fixtures/schema" "$here/manifests/examples" \
  -name '*.yaml' -exec cp -t "$build/corpus" {} +
"$build/tests/fuzz/manifest_fuzzer" "$build/corpus" -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$build/crashes/" -print_final_stats=1
