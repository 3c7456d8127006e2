#!/usr/bin/env bash
# Secondary indexes and transactions, floe vs dynalite. Writes bench/results/index-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
(cd bench && [ -d node_modules/dynalite ] || npm ci --no-audit --no-fund >/dev/null)
mkdir -p bench/results
/usr/bin/python3 bench/index_bench.py "$PWD/build/release/floe" "bench/results/index-$(date -u +%Y-%m-%d).md" "${DURATION:-10}"
