#!/usr/bin/env bash
# Builds and runs the whole test suite on a fresh Debian machine: installs
# what is missing, then the normal build, then the suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
# WSOP_SKIP_SANITIZERS=1 skips the sanitizer pass (for a quick local loop).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

bash scripts/deps.sh

jobs=$(nproc)
echo "== build (RelWithDebInfo)"
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests"
(cd build && ctest --output-on-failure -j "$jobs")
echo "== Helm chart: lint, render, checks"
bash scripts/check_chart.sh build/cmd/wsctl/wsctl

if [ "${WSOP_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build (AddressSanitizer + UndefinedBehaviorSanitizer)"
  bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DWSOP_SANITIZE=ON
  echo "== tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j "$jobs")
fi
if [ "${WSOP_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== manifest fuzzer, short run (scripts/fuzz.sh SECONDS for a long one)"
  bash scripts/fuzz.sh 30 2>&1 | tail -n 8
fi
echo "== all tests passed"
