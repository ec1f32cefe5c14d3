#!/usr/bin/env bash
# Sets up, builds, and runs the benchmarks: a table on stdout and build/bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node bench/run.mjs "$@"
