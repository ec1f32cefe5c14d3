#!/usr/bin/env bash
# Builds the native tree (rtcwire-server, GoogleTest suites) and the package (dist/): the Wasm core
# and its glue, then js/ bundled into dist/rtcwire.js.
# Pass --fuzz to also build the libFuzzer targets.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j"$jobs"

# Emscripten's JS optimizer needs Debian's acorn, which Node does not find by itself.
export NODE_PATH=/usr/share/nodejs
# The glue is minified by Closure from npm (pinned to the release Emscripten 3.1.6 was made with:
# later ones refuse its --language_in).
export EM_CLOSURE_COMPILER="$PWD/node_modules/.bin/google-closure-compiler"
if [[ ! -x "$EM_CLOSURE_COMPILER" ]]; then
  echo "build: $EM_CLOSURE_COMPILER is missing: run npm ci (or npm run setup)" >&2
  exit 1
fi
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
cmake --build build/wasm -j"$jobs"
node scripts/bundle.mjs

if [[ "${1:-}" == "--fuzz" ]]; then
  CXX=clang++-14 cmake -S . -B build/fuzz -DRTCWIRE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/fuzz -j"$jobs"
fi
