#!/usr/bin/env bash
# Builds and runs the whole test suite on a fresh Debian machine: installs
# what is missing, then the normal build (its suite includes the concurrency
# tests under ThreadSanitizer), the reliability runs, then the suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer.
# WSOP_SKIP_SANITIZERS=1 skips the sanitizer pass (for a quick local loop).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

bash scripts/deps.sh
# The tests talk to provider-sim on loopback only, and the client honours
# proxy variables as curl does: a proxy set for apt-get on this machine
# must not carry the tests' loopback traffic.
export no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"

jobs=$(nproc)
# Each step says when it began, in seconds since the start: CI must stay
# under thirty minutes on two cores, and the log shows where they go.
step() { echo "== $1 [${SECONDS}s]"; }
step "build (RelWithDebInfo)"
# -g1 (line tables only) keeps file:line in every stack trace and halves the
# compile time that full debug information costs; -O1 compiles in two thirds
# of -O2's time (25 against 17 CPU seconds for a test batch), and the suite
# needs no more. The benchmarks build their own -O2 (scripts/bench.sh).
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
# The sanitizer build compiles while the tests run, at the lowest CPU
# priority: most of the suite waits (timeouts, backoff, subprocesses), and
# the tests keep the CPU whenever they want it, so their timing is as on an
# idle machine while the compile takes what they leave.
# It is clang's: unoptimised and instrumented, clang compiles our Beast-heavy
# files in half of GCC's time (server.cpp 24 against 46 s, the test support
# library 25 against 64 s), and this build is what the sanitizer tests wait
# for. The normal build stays GCC's, the compiler of the release build, so
# the suite passes under both. The fuzzer needs clang too.
sanitize=$([ "${WSOP_SKIP_SANITIZERS:-0}" != "1" ] && echo 1 || echo 0)
asan_build_pid=
if [ "$sanitize" = 1 ]; then
  bash scripts/deps.sh clang libclang-rt-14-dev >/dev/null
  mkdir -p build-asan
  CC=clang CXX=clang++ setsid nice -n 19 bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DWSOP_SANITIZE=ON >build-asan/build.log 2>&1 &
  asan_build_pid=$!
fi
# A failing step ends the script: no background compile or run may outlive
# it. (setsid: each is a process group of its own, killed whole.)
trap 'for pid in "$asan_build_pid" "${fuzz_build_pid:-}" "${reliability_pid:-}"; do [ -n "$pid" ] && kill -- "-$pid" 2>/dev/null; done; true' EXIT
# gold links clang's sanitizer runtime with a warning per check symbol it
# cannot export (harmless: the binaries call them directly).
asan_build_log() { grep -v "Cannot export local symbol '__asan_" build-asan/build.log || true; }
finish_asan_build() {
  local status=0
  wait "$asan_build_pid" || status=$?
  asan_build_pid=
  step "build (AddressSanitizer + UndefinedBehaviorSanitizer), compiled beside the tests"
  if [ "$status" != 0 ]; then
    asan_build_log | tail -n 60
    return "$status"
  fi
  asan_build_log | tail -n 3
}
# The fuzzer's clang build and its short run, like the sanitizer build: at
# the lowest priority beside the sanitizer tests, which mostly wait, so
# neither adds to the end of the run (scripts/fuzz.sh finds it built; the
# run lasts its 30 seconds of wall time whatever CPU it gets).
fuzz_build_pid=
start_fuzz_build() {
  [ "${WSOP_SKIP_FUZZ:-0}" = "1" ] && return 0
  bash scripts/deps.sh clang libclang-rt-14-dev >/dev/null
  setsid nice -n 19 bash -c 'set -e
    if [ ! -f build-fuzz/CMakeCache.txt ]; then
      CC=clang CXX=clang++ cmake -S . -B build-fuzz $(command -v ninja >/dev/null && echo -G Ninja) \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSOP_FUZZ=ON -DWSOP_BUILD_TESTS=OFF
    fi
    cmake --build build-fuzz --target manifest_fuzzer -j "$(nproc)"
    bash scripts/fuzz.sh 30 >build/fuzz-run.log 2>&1' >build/fuzz-build.log 2>&1 &
  fuzz_build_pid=$!
}
step "tests"
(cd build && ctest --output-on-failure -j "$jobs" --output-junit "$here/build/ctest.xml")
step "Helm chart: lint, render, checks"
bash scripts/check_chart.sh build/cmd/wsctl/wsctl
# The reliability runs mostly wait (faults, backoff, lost-create windows;
# the identical-machines run takes six minutes): they go on in the
# background beside the sanitizer tests, which mostly wait too, rather than
# take CPU from the sanitizer build, which is what the sanitizer tests wait
# for.
reliability_pid=
start_reliability() {
  step "reliability: fault soak and crash-kill, CI size, in the background"
  mkdir -p build/reliability
  CASES_JUNIT="$here/build/ctest.xml" BUILD_DIR="$here/build" \
    setsid bash scripts/reliability.sh >build/reliability/ci.log 2>&1 &
  reliability_pid=$!
}
finish_reliability() {
  local status=0
  wait "$reliability_pid" || status=$?
  reliability_pid=
  step "reliability (scripts/reliability.sh --full for the full run)"
  cat build/reliability/ci.log
  return "$status"
}

if [ "$sanitize" = 1 ]; then
  finish_asan_build
  start_reliability
  start_fuzz_build
  step "tests under ASan + UBSan (those that run none of our C++, label no-cxx, the include probes, label layers, and the schema agreement, label normal-pass, ran above)"
  # One more test than cores: most of these tests wait (subprocesses,
  # timeouts, lost-create windows) rather than compute. The normal pass's
  # timings order them: ctest starts the longest first, so none of them
  # trails alone at the end (on a fresh clone there are no others).
  mkdir -p build-asan/Testing/Temporary
  cp build/Testing/Temporary/CTestCostData.txt build-asan/Testing/Temporary/ 2>/dev/null || true
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j "$((jobs + 1))" -LE 'no-cxx|layers|normal-pass')
  finish_reliability
else
  start_reliability
  start_fuzz_build
  finish_reliability
fi
if [ "${WSOP_SKIP_FUZZ:-0}" != "1" ]; then
  fuzz_status=0
  wait "$fuzz_build_pid" || fuzz_status=$?
  fuzz_build_pid=
  step "manifest fuzzer, short run beside the sanitizer tests (scripts/fuzz.sh SECONDS for a long one)"
  if [ "$fuzz_status" != 0 ]; then
    tail -n 40 build/fuzz-build.log
    [ -f build/fuzz-run.log ] && tail -n 40 build/fuzz-run.log
    exit "$fuzz_status"
  fi
  tail -n 8 build/fuzz-run.log
fi
step "all tests passed"
