#!/usr/bin/env bash
# The fault soak, the crash-kill runs, the identical-machines run and the
# hostile-input corpus (docs/RELIABILITY.md) against
# provider-sim on loopback, with the binaries of BUILD_DIR (default: build).
#   scripts/reliability.sh            # CI size: N = 300, 10 kills each
#   scripts/reliability.sh --full     # N = 10,000 soak, 100 kills each
# The three runs are independent (each has its own simulator, state and
# ports) and mostly wait, so they run side by side. Each prints its figures
# as JSON and fails on any duplicate, missing or orphan workspace, a
# workspace neither Ready nor honestly unresolved, or a state record linked
# to the wrong remote workspace.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-"$here/build"}
n=300 kill_n=300 kills=10 soak_args=()
if [ "${1:-}" = "--full" ]; then
  # At N = 10,000 the work itself needs the providers' whole rate: the
  # server limit goes up to the clients' 100/s (429s then come from bursts).
  n=10000 kill_n=1000 kills=100 soak_args=(--server-rps 100 --timeout 2400)
fi
out="$build_dir/reliability"
mkdir -p "$out"
soak() { python3 "$here/tests/reliability/soak.py" --bin "$build_dir" "$@"; }
soak -n "$n" "${soak_args[@]}" --json "$out/soak.json" >"$out/soak.log" 2>&1 &
soak_pid=$!
soak -n "$kill_n" --kills "$kills" --json "$out/crash-controller.json" >"$out/crash-controller.log" 2>&1 &
controller_pid=$!
soak -n "$kill_n" --kills "$kills" --mode apply --json "$out/crash-apply.json" >"$out/crash-apply.log" 2>&1 &
apply_pid=$!
# Identical Aether machines (one request for all): their creates go one at a
# time, and every lost create must resolve (docs/OPERATIONS.md).
soak -n 50 --providers aether --aether-shapes 1 --require-resolved --json "$out/identical-aether.json" \
  >"$out/identical-aether.log" 2>&1 &
identical_pid=$!
failed=0
report() {
  local title=$1 pid=$2 log=$3 status=0
  wait "$pid" || status=$?
  echo "== $title"
  cat "$log"
  [ "$status" = 0 ] || failed=1
}
report "fault soak: N=$n, 20% faults" "$soak_pid" "$out/soak.log"
report "crash-kill of wsctl controller: N=$kill_n, $kills kills" "$controller_pid" "$out/crash-controller.log"
report "crash-kill of wsctl apply: N=$kill_n, $kills kills" "$apply_pid" "$out/crash-apply.log"
report "50 identical Aether machines, 20% faults, 0 unresolved" "$identical_pid" "$out/identical-aether.log"
# The hostile-input corpus (docs/RELIABILITY.md): each attack and its tests.
# CASES_JUNIT names a finished ctest run to read (scripts/test.sh); else the
# tests run now.
echo "== hostile-input corpus"
python3 "$here/tests/reliability/cases.py" --bin "$build_dir" ${CASES_JUNIT:+--junit "$CASES_JUNIT"} \
  --markdown "$out/cases.md" --json "$out/cases.json" || failed=1
exit "$failed"
