#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when missing.
# Sourced or run by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-system-dev libboost-program-options-dev
  libyaml-cpp-dev nlohmann-json3-dev prometheus-cpp-dev libspdlog-dev
  libsqlite3-dev libssl-dev openssl zlib1g-dev
  libgtest-dev libgmock-dev googletest
  python3 python3-jsonschema python3-yaml
  curl prometheus
)
# Extra packages a caller asks for (scripts/test.sh adds its check tools).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
