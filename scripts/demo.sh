#!/usr/bin/env bash
# Sets up, builds, and serves the demo video call with rtcwire-server. PORT and HOST override the address.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
host=${HOST:-127.0.0.1}
port=${PORT:-8080}
echo
echo "rtcwire demo: open http://$host:$port/#my-room in two or more browser tabs (Ctrl+C stops the server)"
exec build/native/server/rtcwire-server --host "$host" --port "$port" \
  --static demo --static /dist=dist \
  --static /node_modules/@noble/hashes=node_modules/@noble/hashes
