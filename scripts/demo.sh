#!/usr/bin/env bash
# The main job on its embedded default, on loopback only:
#   build; start provider-sim (the three provider APIs); apply
#   manifests/examples/ against it; show `wsctl get`; change one example and
#   show `wsctl diff`. With --controller it then leaves `wsctl controller`
#   running against the simulator, with its metrics URL printed, until Ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
run_controller=0
[ "${1:-}" = "--controller" ] && run_controller=1

bash scripts/deps.sh
# provider-sim listens on loopback; a proxy set for this machine must not
# carry that traffic (the client honours proxy variables as curl does).
export no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"
echo "== build"
build() { cmake --build build --target wsctl provider-sim -j "$(nproc)"; }
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build $(command -v ninja >/dev/null && echo -G Ninja) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
build >/dev/null
wsctl=$here/build/cmd/wsctl/wsctl
sim=$here/build/cmd/provider-sim/provider-sim
"$wsctl" version

work=$(mktemp -d "${TMPDIR:-/tmp}/wsop-demo.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== provider-sim on loopback"
"$sim" >"$work/endpoints.json" 2>"$work/sim.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/endpoints.json" ] && break; sleep 0.1; done
cat "$work/endpoints.json"
endpoint() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/endpoints.json" "$1"; }

# The examples, pointed at the simulator instead of the vendors.
mkdir -p "$work/manifests"
cp manifests/examples/*.yaml "$work/manifests/"
sed -i -e "s#https://paradigm.lighton.ai#$(endpoint paradigm)#" \
       -e "s#https://api.cadenya.com#$(endpoint cadenya)#" \
       -e "s#https://api.runaether.dev#$(endpoint aether)#" "$work/manifests/provider-configs.yaml"
# provider-sim accepts any non-empty token by default.
export LIGHTON_API_KEY=demo-paradigm-token CADENYA_API_KEY=demo-cadenya-token AETHER_API_KEY=demo-aether-token
state="$work/state.db"

echo "== wsctl diff (nothing exists yet)"
"$wsctl" diff -f "$work/manifests" --state "$state" || true
echo "== wsctl apply --wait"
"$wsctl" apply -f "$work/manifests" --state "$state" --wait --timeout 2m
echo "== wsctl get -o wide"
"$wsctl" get -o wide --state "$state"
echo "== wsctl apply again: nothing to do, no writes"
"$wsctl" apply -f "$work/manifests" --state "$state"

echo "== change one example, then wsctl diff"
sed -i 's/description: Agents answering customer tickets/description: Agents answering tickets in five languages/' \
  "$work/manifests/cadenya-workspace.yaml"
"$wsctl" diff -f "$work/manifests" --state "$state" && echo "(no changes)" || true

if [ "$run_controller" = 1 ]; then
  echo "== wsctl controller (Ctrl-C to stop)"
  echo "metrics: http://127.0.0.1:8080/metrics   status: http://127.0.0.1:8080/api/v1/workspaces"
  "$wsctl" controller --source "$work/manifests" --state "$state" --metrics-addr 127.0.0.1:8080 \
    --resync 1m --source-poll 2s
else
  echo "== done (run scripts/demo.sh --controller to leave the controller running)"
fi
