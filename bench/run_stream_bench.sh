#!/usr/bin/env bash
# DynamoDB Streams benchmark. Writes bench/results/streams-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
mkdir -p bench/results
/usr/bin/python3 bench/stream_bench.py "$PWD/build/release/floe" "bench/results/streams-$(date -u +%Y-%m-%d).md" "${DURATION:-10}"
