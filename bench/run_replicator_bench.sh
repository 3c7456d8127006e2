#!/usr/bin/env bash
# The replicator's freshness and catch-up benchmark. Writes bench/results/replicator-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
mkdir -p bench/results
/usr/bin/python3 bench/replicator_bench.py "$PWD/build/release/floe" "bench/results/replicator-$(date -u +%Y-%m-%d).md" \
  "${RATE:-5000}" "${SECONDS_:-60}" "${BACKLOG:-1000000}"
