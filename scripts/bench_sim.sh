#!/usr/bin/env bash
# Builds the provider-sim load generator in Release (build-release) and runs
# it: preloads 100,000 workspaces per API, then measures GETs by id per
# second on loopback. Extra arguments go to the benchmark, e.g.
#   scripts/bench_sim.sh --provider paradigm --seconds 10 --connections 16
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$here/build-release"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build_dir" "${generator[@]}" "${cmake_args[@]}"
else
  cmake -S "$here" -B "$build_dir" "${cmake_args[@]}" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target sim_bench
exec "$build_dir/tests/bench/sim/sim_bench" "$@"
