#!/usr/bin/env bash
# floe vs dynalite key-value benchmark. Writes bench/results/kv-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
(cd bench && [ -d node_modules/dynalite ] || npm ci --no-audit --no-fund >/dev/null)
mkdir -p bench/results
/usr/bin/python3 bench/kv_bench.py "$PWD/build/release/floe" "bench/results/kv-$(date -u +%Y-%m-%d).md" "${DURATION:-10}"
