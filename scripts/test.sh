#!/usr/bin/env bash
# Sets up, builds, and runs every test tier; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh --fuzz
exec node scripts/run_tests.mjs "$@"
