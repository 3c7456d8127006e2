#!/usr/bin/env bash
# A/B comparison of two floe binaries under the kv benchmark's load, robust to host drift.
# usage: bench/ab_kv.sh BIN_A BIN_B [ROUNDS]   env: OP=put|get|update (default put),
#        ENV_A / ENV_B: extra environment for each server (e.g. ENV_B="FLOE_THREADS=2")
# Both servers run at once (ports 18131/18132, data in temporary directories); 10 s wrk runs
# alternate A, B, A, B, ... so that a host that speeds up or slows down affects both alike.
# Prints every run (req/s, p99, server CPU µs per request from /proc/PID/stat) and medians.
# An A/A run (the same binary twice) differed by 7% in median throughput on the 2-core VM
# of bench/results/kv-2026-11-21.md: smaller differences need a profile to back them.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2"); ROUNDS=${3:-4}; OP=${OP:-put}
DA=$(mktemp -d); DB=$(mktemp -d); OUT=$(mktemp)
env ${ENV_A:-} "$A" serve --listen 127.0.0.1:18131 --data-dir "$DA" --durability sync --log-level warn & PA=$!
env ${ENV_B:-} "$B" serve --listen 127.0.0.1:18132 --data-dir "$DB" --durability sync --log-level warn & PB=$!
trap 'kill $PA $PB 2>/dev/null; wait $PA $PB 2>/dev/null; rm -rf "$DA" "$DB" "$OUT"' EXIT
for p in 18131 18132; do
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$p/ && break; sleep 0.05; done
  /usr/bin/python3 bench/prefill.py http://127.0.0.1:$p 100000 >/dev/null
  wrk -t2 -c64 -d5s -s bench/kv.lua http://127.0.0.1:$p -- "$OP" >/dev/null
done
run() {  # pid port name
  local c0 c1 out
  c0=$(awk '{print $14+$15}' /proc/$1/stat)
  out=$(wrk -t2 -c64 -d10s --latency -s bench/kv.lua http://127.0.0.1:$2 -- "$OP")
  c1=$(awk '{print $14+$15}' /proc/$1/stat)
  echo "$3 $(echo "$out" | awk '/Requests\/sec/{print $2}') $(echo "$out" | awk '$1=="99%"{print $2}') $((c1 - c0))"
}
for _ in $(seq "$ROUNDS"); do run $PA 18131 A; run $PB 18132 B; done | tee "$OUT"
/usr/bin/python3 - "$OUT" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
hz = int(sys.argv[2])
def ms(t):  # wrk prints 850.00us, 4.10ms or 1.02s
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if t.endswith(unit): return float(t[:-len(unit)]) * f
for name in "AB":
    r = [x for x in rows if x[0] == name]
    rps = [float(x[1]) for x in r]
    cpu = [int(x[3]) * 1e6 / hz / (float(x[1]) * 10) for x in r]
    print(f"{name}: median {statistics.median(rps):.0f} req/s, p99 {statistics.median(ms(x[2]) for x in r):.2f} ms, "
          f"{statistics.median(cpu):.1f} µs CPU per request")
PY
