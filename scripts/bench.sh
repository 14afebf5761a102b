#!/usr/bin/env bash
# The benchmarks of docs/PERFORMANCE.md: builds in Release (build-release),
# then runs tests/bench/run_bench.py (controller) and tests/bench/apply_bench.py
# (one-shot apply, throttling provider) against provider-sim on loopback,
# provider-sim's own ceiling (sim_bench), and tests/bench/kube_bench.py
# (kubernetes mode: 10,000 Workspaces through the Kubernetes API double).
# Not part of CI.
#   scripts/bench.sh                      # N = 1,000 and 10,000, then kubernetes mode
#   scripts/bench.sh --sizes 1000,10000,30000
#   scripts/bench.sh --kube [--n 10000 --idle-seconds 300]   # kubernetes mode only
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/deps.sh >/dev/null
# provider-sim listens on loopback; a proxy set for this machine must not
# carry that traffic (the client honours proxy variables as curl does).
export no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"
build_dir="$here/build-release"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DWSOP_BUILD_TESTS=ON
fi
cmake --build "$build_dir" -j "$(nproc)" --target wsctl provider-sim yaml_parse_bench sim_bench
kube_only=false
if [ "${1:-}" = "--kube" ]; then
  kube_only=true
  shift
fi
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
if $kube_only; then
  echo "== kubernetes mode: 10,000 Workspaces through the API double"
  exec python3 tests/bench/kube_bench.py --bin "$build_dir" "$@"
fi
echo "== provider-sim ceiling (GETs by id, loopback, no added latency)"
"$build_dir/tests/bench/sim/sim_bench" --seconds 5 | tail -n 5
echo "== convergence, resync, memory, plan speed"
python3 tests/bench/run_bench.py --bin "$build_dir" "$@"
echo "== one-shot apply (default flags, bursts 10 and 100) and a throttling provider"
python3 tests/bench/apply_bench.py --bin "$build_dir"
echo "== kubernetes mode: 10,000 Workspaces through the API double"
python3 tests/bench/kube_bench.py --bin "$build_dir"
