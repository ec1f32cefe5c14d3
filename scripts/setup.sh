#!/usr/bin/env bash
# Installs what rtcwire needs on Debian 12 when it is missing: apt packages (as root, otherwise
# prints the exact command) and the npm dev dependencies (npm ci). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake g++ make
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libboost1.81-dev libssl-dev openssl
  emscripten binaryen clang-14 libclang-rt-14-dev clang-format
  chromium
  coturn
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    # Debian starts coturn as a system service on install. The tests never use it (they run their own
    # turnserver on free 127.0.0.1 ports with their own config), so one installed only for them is
    # stopped and disabled rather than left relaying on 3478.
    if [[ " ${missing[*]} " == *" coturn "* && -d /run/systemd/system ]]; then
      systemctl disable --now coturn.service || true
    fi
  else
    echo "setup: missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# npm ci only when the installed tree is older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
