#!/usr/bin/env bash
# Builds the native tree (rtcwire-server, GoogleTest suites) and the Wasm package (dist/).
# Pass --fuzz to also build the libFuzzer targets.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j"$jobs"

# Emscripten's JS optimizer needs Debian's acorn, which Node does not find by itself.
export NODE_PATH=/usr/share/nodejs
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
cmake --build build/wasm -j"$jobs"

if [[ "${1:-}" == "--fuzz" ]]; then
  CXX=clang++-14 cmake -S . -B build/fuzz -DRTCWIRE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/fuzz -j"$jobs"
fi
